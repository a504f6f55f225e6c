import Foundation
import Yams

/// A problem in a catalogue file, located by file and line so a clinic can fix it.
public struct CatalogueError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Reads catalogue YAML: the built-in file, and a clinic's override merged over it by `id`.
public enum CatalogueLoader {
    /// The clinic's override file: `$XDG_CONFIG_HOME/needlechart/catalogue.yaml`,
    /// else `~/.config/needlechart/catalogue.yaml`.
    public static func overridePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        return base + "/needlechart/catalogue.yaml"
    }

    /// The largest override file read: the built-in catalogue is about 9 KB, so 1 MiB is far more
    /// than any clinic needs, and a mistaken or hostile file cannot stall every start.
    public static let overrideLimit = 1 << 20

    /// The built-in catalogue with the clinic's override applied when its file exists.
    public static func load(overridePath path: String = overridePath()) throws -> Catalogue {
        guard FileManager.default.fileExists(atPath: path) else { return .builtIn }
        let data = try readOverride(path, limit: overrideLimit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogueError(file: path, line: nil, message: "is not UTF-8 text")
        }
        return try apply(text, file: path, over: .builtIn)
    }

    /// The bytes of the override file, refused unread when it is not a regular file or is larger
    /// than `limit` (its size is checked on the open file before reading, and the read stops there).
    static func readOverride(_ path: String, limit: Int) throws -> Data {
        func refuse(_ message: String) -> CatalogueError { CatalogueError(file: path, line: nil, message: message) }
        // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked right after.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw refuse("cannot be read (\(String(cString: strerror(errno))); check its permissions)") }
        defer { _ = close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw refuse("cannot be read (\(String(cString: strerror(errno))))") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw refuse("is not a regular file; a catalogue override must be a YAML file") }
        let size = Int(st.st_size)
        if size > limit { throw refuse("is \(describe(size)); a catalogue override may be at most \(describe(limit))") }
        var data = Data(capacity: size)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                data.append(contentsOf: chunk[0..<n])
                // It grew after its size was checked: stop at the limit all the same.
                if data.count > limit { throw refuse("is larger than \(describe(limit)); a catalogue override may be at most \(describe(limit))") }
            } else if n == 0 {
                return data
            } else if errno != EINTR {
                throw refuse("cannot be read (\(String(cString: strerror(errno))))")
            }
        }
    }

    /// A file size in words: whole megabytes when large, exact bytes near the limit ("1,048,577 bytes").
    private static func describe(_ bytes: Int) -> String {
        let mb = 1 << 20
        if bytes % mb == 0 { return "\(bytes / mb) MB" }
        if bytes >= 2 * mb { return "\((bytes + mb / 2) / mb) MB" }
        var digits = String(bytes), grouped = ""
        while digits.count > 3 { grouped = "," + digits.suffix(3) + grouped; digits.removeLast(3) }
        return digits + grouped + " bytes"
    }

    /// Parses a complete catalogue; every list must be present.
    public static func parse(_ text: String, file: String) throws -> Catalogue {
        try apply(text, file: file, over: nil)
    }

    /// Applies `text` over `base`: items with a known id replace, new ids are added;
    /// needle size lists replace. With no base, every list is required.
    public static func apply(_ text: String, file: String, over base: Catalogue?) throws -> Catalogue {
        try apply(text, file: file, over: base, resolver: resolver)
    }

    /// How plain scalars are tagged. The catalogue reads every value as text except `true`/`false`
    /// flags (Yams' `bool` refuses a scalar tagged as a string) and numbers (read from the text
    /// whatever the tag): only the bool rule matters. Yams' default runs up to seven regular
    /// expressions on every plain scalar, a quarter of the built-in catalogue's parse, which is
    /// a third of the app's start (issue 13). A test compares the two on the built-in catalogue.
    static let resolver = Resolver.basic.appending(.bool)

    static func apply(_ text: String, file: String, over base: Catalogue?, resolver: Resolver) throws -> Catalogue {
        let reader = NodeReader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text, resolver) else {
                if let base { return base }
                throw reader.error(nil, "is empty")
            }
            root = node
        } catch let error as YamlError {
            throw reader.yamlError(error)
        }
        let top = try reader.mapping(root, "the catalogue")
        let known: Set<String> = ["version", "regions", "screening", "conditions", "consent", "sensations", "aftercare",
                                  "adverse-events", "combined-treatments", "needle-diameters-mm", "needle-lengths-mm"]
        for (key, _) in top where !known.contains(key.value) {
            throw reader.error(key.node, "unknown section '\(key.value)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        func section(_ name: String) throws -> Node? {
            if let node = top.first(where: { $0.key.value == name })?.value { return node }
            if base == nil { throw reader.error(root, "the section '\(name)' is missing") }
            return nil
        }
        var c = base ?? Catalogue(regions: [], screening: [], conditions: [], consentItems: [], sensations: [], aftercare: [],
                                  adverseEvents: [], combinedTreatments: [], needleDiameters: [], needleLengths: [])

        if let node = try section("regions") {
            c.regions = merge(c.regions, try reader.items(node, "regions") { item in
                let view = try reader.string(item, "view")
                guard let v = BodyView(rawValue: view.value) else { throw reader.error(view.node, "view must be front or back, not '\(view.value)'") }
                let id = try reader.string(item, "id").value
                let muscles = try reader.muscles(item, region: id)
                if muscles.isEmpty { throw reader.error(item.node, "region '\(id)' lists no muscles") }
                return BodyRegion(id: id, name: try reader.string(item, "name").value, view: v,
                                  muscles: muscles, warnings: try reader.stringList(item, "warnings", required: false),
                                  lung: try reader.lung(item) ?? false)
            })
        }
        if let node = try section("screening") {
            c.screening = merge(c.screening, try reader.items(node, "screening") { item in
                let cls = try reader.string(item, "class")
                guard let k = ScreeningClass(rawValue: cls.value) else {
                    throw reader.error(cls.node, "class must be contraindicated, site-specific or precaution, not '\(cls.value)'")
                }
                return ScreeningItem(id: try reader.string(item, "id").value, question: try reader.string(item, "question").value, kind: k)
            })
        }
        func named(_ key: String, _ list: [CatalogueItem]) throws -> [CatalogueItem] {
            guard let node = try section(key) else { return list }
            return merge(list, try reader.items(node, key) { item in
                CatalogueItem(id: try reader.string(item, "id").value, name: try reader.string(item, "name").value)
            })
        }
        c.conditions = try named("conditions", c.conditions)
        c.consentItems = try named("consent", c.consentItems)
        c.sensations = try named("sensations", c.sensations)
        if let node = try section("aftercare") {
            // An item keeps the ticking it had unless it says `ticked:` itself, so renaming a
            // built-in item does not untick it.
            var ticked: [String: AftercareTick] = [:]
            let items = try reader.items(node, "aftercare") { item in
                let id = try reader.string(item, "id").value
                if let tick = reader.field(item, "ticked") {
                    guard let value = tick.string, let t = AftercareTick(rawValue: value) else {
                        throw reader.error(tick, "ticked must be always, thorax or never, not '\(Sanitizer.line(tick.string ?? ""))'")
                    }
                    ticked[id] = t
                }
                return CatalogueItem(id: id, name: try reader.string(item, "name").value)
            }
            c.aftercare = merge(c.aftercare, items)
            c.aftercareTicked.merge(ticked) { _, new in new }
        }
        c.combinedTreatments = try named("combined-treatments", c.combinedTreatments)
        if let node = try section("adverse-events") {
            c.adverseEvents = merge(c.adverseEvents, try reader.items(node, "adverse-events") { item in
                let cls = try reader.string(item, "class")
                guard let k = AdverseEventClass(rawValue: cls.value) else {
                    throw reader.error(cls.node, "class must be mild, significant or serious, not '\(cls.value)'")
                }
                return AdverseEventType(id: try reader.string(item, "id").value, name: try reader.string(item, "name").value, severity: k)
            })
        }
        if let node = try section("needle-diameters-mm") {
            c.needleDiameters = try reader.sequence(node, "needle-diameters-mm").map { n in
                guard let text = n.string, let d = NeedleDiameter(parsing: text) else {
                    throw reader.error(n, "needle diameter must be a size in millimetres such as 0.25")
                }
                return d.hundredths
            }
        }
        if let node = try section("needle-lengths-mm") {
            c.needleLengths = try reader.sequence(node, "needle-lengths-mm").map { n in
                guard let v = n.int, NeedleLimits.length.contains(v) else {
                    throw reader.error(n, "needle length must be whole millimetres from \(NeedleLimits.length.lowerBound) to \(NeedleLimits.length.upperBound)")
                }
                return v
            }
        }
        return c
    }

    /// `base` with each of `items` replacing the item of the same id in place, or appended after
    /// in its own order. Linear: ids are looked up in a dictionary, not searched for.
    static func merge<T: Identifiable>(_ base: [T], _ items: [T]) -> [T] where T.ID == String {
        var out = base
        var index: [String: Int] = [:]
        index.reserveCapacity(base.count + items.count)
        for (i, item) in base.enumerated() where index[item.id] == nil { index[item.id] = i }
        for item in items {
            if let i = index[item.id] {
                out[i] = item
            } else {
                index[item.id] = out.count
                out.append(item)
            }
        }
        return out
    }
}

/// Walks Yams nodes and turns every shape mistake into a `CatalogueError` with a line.
private struct NodeReader {
    let file: String

    struct Key { let value: String; let node: Node }
    struct Item { let node: Node; let fields: [(key: Key, value: Node)] }

    func error(_ node: Node?, _ message: String) -> CatalogueError {
        CatalogueError(file: file, line: node?.mark?.line, message: message)
    }

    func yamlError(_ error: YamlError) -> CatalogueError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return CatalogueError(file: file, line: mark.line, message: "not valid YAML: \(text)")
        default:
            return CatalogueError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
    }

    func mapping(_ node: Node, _ what: String) throws -> [(key: Key, value: Node)] {
        guard case let .mapping(m) = node else { throw error(node, "\(what) must be a mapping of 'key: value'") }
        return try m.map { pair in
            guard let k = pair.key.string else { throw error(pair.key, "a key must be text") }
            return (Key(value: k, node: pair.key), pair.value)
        }
    }

    func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard case let .sequence(s) = node else { throw error(node, "'\(what)' must be a list") }
        return Array(s)
    }

    func items<T>(_ node: Node, _ what: String, _ make: (Item) throws -> T) throws -> [T] {
        var seen: Set<String> = []
        return try sequence(node, what).map { n in
            let item = Item(node: n, fields: try mapping(n, "an item of '\(what)'"))
            let id = try string(item, "id")
            guard id.value.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil else {
                throw error(id.node, "id '\(id.value)' must be lower-case letters, digits and hyphens")
            }
            guard seen.insert(id.value).inserted else { throw error(id.node, "id '\(id.value)' appears twice in '\(what)'") }
            return try make(item)
        }
    }

    func field(_ item: Item, _ key: String) -> Node? { item.fields.first { $0.key.value == key }?.value }

    func string(_ item: Item, _ key: String) throws -> Key {
        guard let node = field(item, key) else { throw error(item.node, "'\(key)' is missing") }
        guard case .scalar = node, let s = node.string?.trimmingCharacters(in: .whitespaces), !s.isEmpty else {
            throw error(node, "'\(key)' must be non-empty text")
        }
        return Key(value: Sanitizer.line(s), node: node)
    }

    func stringList(_ item: Item, _ key: String, required: Bool = true) throws -> [String] {
        guard let node = field(item, key) else {
            if required { throw error(item.node, "'\(key)' is missing") }
            return []
        }
        return try sequence(node, key).map { n in
            guard case .scalar = n, let s = n.string, !s.isEmpty else { throw error(n, "each of '\(key)' must be text") }
            return Sanitizer.line(s)
        }
    }

    /// A region's muscles: each a name (`temporalis`), or a name with flags of its own
    /// (`{name: brachioradialis, warnings: [radial nerve], lung: false}`; `warnings: []` says it has none).
    func muscles(_ item: Item, region: String) throws -> [Muscle] {
        guard let node = field(item, "muscles") else { throw error(item.node, "'muscles' is missing") }
        var seen: Set<String> = []
        return try sequence(node, "muscles").map { n in
            let muscle: Muscle
            switch n {
            case .scalar:
                guard let s = n.string?.trimmingCharacters(in: .whitespaces), !s.isEmpty else {
                    throw error(n, "each of 'muscles' must be a name, or {name: ..., warnings: [...], lung: true or false}")
                }
                muscle = Muscle(Sanitizer.line(s))
            case .mapping:
                let m = Item(node: n, fields: try mapping(n, "a muscle of region '\(region)'"))
                let known: Set<String> = ["name", "warnings", "lung"]
                for (key, _) in m.fields where !known.contains(key.value) {
                    throw error(key.node, "unknown key '\(key.value)' for a muscle (known: lung, name, warnings)")
                }
                muscle = Muscle(try string(m, "name").value,
                                warnings: field(m, "warnings") == nil ? nil : try stringList(m, "warnings"),
                                lung: try bool(m, "lung"))
            default:
                throw error(n, "each of 'muscles' must be a name, or {name: ..., warnings: [...], lung: true or false}")
            }
            guard seen.insert(BodyRegion.matchKey(muscle.name)).inserted else {
                throw error(n, "muscle '\(muscle.name)' appears twice in region '\(region)'")
            }
            return muscle
        }
    }

    /// A region's default lung flag: `lung`, or `thorax`, its former name (older clinic files).
    func lung(_ item: Item) throws -> Bool? {
        let lung = try bool(item, "lung"), thorax = try bool(item, "thorax")
        if lung != nil, thorax != nil, let node = field(item, "thorax") {
            throw error(node, "give 'lung' only: 'thorax' is its former name")
        }
        return lung ?? thorax
    }

    func bool(_ item: Item, _ key: String) throws -> Bool? {
        guard let node = field(item, key) else { return nil }
        guard let b = node.bool else { throw error(node, "'\(key)' must be true or false") }
        return b
    }
}
