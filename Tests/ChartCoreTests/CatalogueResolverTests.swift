import ChartAssets
@testable import ChartCore
import Foundation
import Testing
import Yams

/// The catalogue read with one resolver rule (issue 13: start-up) is the catalogue Yams'
/// default resolver gives.
@Suite struct CatalogueResolverTests {
    @Test func theBuiltInCatalogueIsTheSameWithTheBoolRuleAlone() throws {
        let fast = try CatalogueLoader.apply(ChartAssets.catalogueYAML, file: "built-in", over: nil, resolver: CatalogueLoader.resolver)
        let reference = try CatalogueLoader.apply(ChartAssets.catalogueYAML, file: "built-in", over: nil, resolver: .default)
        #expect(fast == reference)
        #expect(fast == Catalogue.builtIn)
    }

    @Test func overridesWithFlagsNumbersAndNullLikeTextReadTheSame() throws {
        // Words YAML's default rules would tag as bool, null, int or float, in text fields.
        let text = """
            regions:
              - {id: null-zone, name: null, view: front, muscles: [yes, 1.5, ~, 0x1F, on, {name: "off", lung: yes}], lung: no, warnings: [NULL, 2024-01-01]}
            needle-diameters-mm: [0.16, 0.30]
            """
        let fast = Result { try CatalogueLoader.apply(text, file: "o.yaml", over: .builtIn, resolver: CatalogueLoader.resolver) }
        let reference = Result { try CatalogueLoader.apply(text, file: "o.yaml", over: .builtIn, resolver: .default) }
        switch (fast, reference) {
        case let (.success(a), .success(b)): #expect(a == b)
        case let (.failure(a), .failure(b)): #expect("\(a)" == "\(b)")
        default: Issue.record("one resolver accepted what the other refused: \(fast) / \(reference)")
        }
        #expect((try? fast.get()) != nil, "the override is accepted: \(fast)")
    }
}
