import Foundation
import Testing

/// The built `needlechart` binary, beside the test bundle in the build folder.
func binaryPath() -> String {
    if let explicit = ProcessInfo.processInfo.environment["NEEDLECHART_BIN"] { return explicit }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("needlechart").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/needlechart").path
}

/// The account these tests run as, as the binary sees it (getpwuid(geteuid())): the clinician
/// every run of the binary records. The binary offers no way to be anyone else.
struct TestAccount {
    let username: String
    /// The full name from the passwd entry (GECOS), else the login name: a new profile's name.
    let displayName: String

    static let current: TestAccount = {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else {
            return TestAccount(username: "(no passwd entry for uid \(geteuid()))", displayName: "")
        }
        let username = String(cString: name)
        let gecos = pw.pointee.pw_gecos.map { String(cString: $0) } ?? ""
        let full = (gecos.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? "")
            .trimmingCharacters(in: .whitespaces)
        return TestAccount(username: username, displayName: full.isEmpty ? username : full)
    }()
}

/// `text` with every run of spaces and line breaks made one space: a wrapped sentence of a text
/// export reads as one line.
func flattened(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}

/// What a run of the binary produced.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A scratch home for one test: its own database, config and data directories.
struct Sandbox {
    let root: String
    init() {
        root = NSTemporaryDirectory() + "needlechart-e2e-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }
    var db: String { root + "/clinic.sqlite" }

    /// Runs `needlechart ARGS` with this sandbox's environment.
    @discardableResult
    func run(_ args: [String], environment extra: [String: String] = [:]) throws -> RunResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath())
        p.arguments = args
        var env = ["HOME": root, "XDG_DATA_HOME": root + "/data", "XDG_CONFIG_HOME": root + "/config",
                   "TZ": "UTC", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        env.merge(extra) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return RunResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
