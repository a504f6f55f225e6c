import ChartCore
import GRDB
