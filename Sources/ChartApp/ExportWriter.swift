import ChartCore
import ChartStore
import Foundation

/// Writes export text to a file: atomically (a temporary file renamed into place) and owner-only,
/// since an export carries patient data.
public enum ExportWriter {
    /// Writes `text` to `path`, replacing an existing file only once the new one is complete.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.io, "Cannot write \(path): the folder \(dir) does not exist and cannot be created.")
            }
        } else if !isDir.boolValue {
            throw StoreError(.io, "Cannot write \(path): \(dir) is a file, not a folder.")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw StoreError(.io, "Cannot write \(path): it is a folder. Give a file name.")
        }
        if isDatabaseFile(path) {
            throw StoreError(.io, "Cannot write \(path): it is a database file, and an export never replaces one. Choose another name.")
        }
        let temp = dir + "/.\(url.lastPathComponent).\(getpid()).partial"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.io, "Cannot write \(path): check the folder's permissions and free space.")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw StoreError(.io, "Cannot write \(path): \(reason).")
        }
    }

    /// True for an existing SQLite database or one of its journal files: an export never replaces
    /// those (a mistyped path must not overwrite the clinic's records or a backup).
    static func isDatabaseFile(_ path: String) -> Bool {
        if ["-wal", "-shm", "-journal"].contains(where: { path.hasSuffix($0) }) { return FileManager.default.fileExists(atPath: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\0".utf8)
    }

    /// The absolute path `path` names: `~/…` is under the home directory, a relative path is under
    /// `directory` (never the folder the app happened to start in); `..` and `.` are resolved.
    public static func resolve(_ path: String, in directory: String,
                               environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        let home = env["HOME"] ?? NSHomeDirectory()
        let absolute: String
        if trimmed == "~" { absolute = home }
        else if trimmed.hasPrefix("~/") { absolute = home + trimmed.dropFirst(1) }
        else if trimmed.hasPrefix("/") { absolute = trimmed }
        else { absolute = directory + "/" + trimmed }
        return URL(fileURLWithPath: absolute).standardized.path
    }

    /// The default folder for exports: `~/NeedleChart-exports` under the home directory.
    public static func defaultDirectory(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (env["HOME"] ?? NSHomeDirectory()) + "/NeedleChart-exports"
    }
}
