import ChartCore
import ChartStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes export text to a file: atomically (a temporary file renamed into place) and owner-only
/// from the first byte, since an export carries patient data.
///
/// The temporary file is created 0600 with `O_EXCL`, written in full, fsync'd, renamed onto the
/// target and the folder fsync'd; missing folders are made 0700. Only a regular file is ever
/// replaced: a FIFO, a device, a socket or a folder is refused by its type, before anything opens it.
public enum ExportWriter {
    /// The target already holds a file and the write was not asked to replace it.
    public struct TargetExists: Error, Equatable, CustomStringConvertible {
        /// The path as it was given.
        public var path: String
        public var description: String { "\(path) exists" }
    }

    /// Steps a test can watch (and fail) from inside a write.
    struct Hooks {
        /// Called right after each missing folder is made.
        var folderCreated: (String) throws -> Void = { _ in }
        /// Called right after the temporary file is created, before a byte is written.
        var tempCreated: (String) throws -> Void = { _ in }
        /// Called once the temporary file is complete and synced, before it takes the target's name.
        var tempWritten: (String) throws -> Void = { _ in }
    }

    /// Writes `text` to `path`. An existing regular file is replaced only when `replace` is true
    /// (else `TargetExists` is thrown and nothing is written), and only once the new one is
    /// complete. Every other failure is a one-line `StoreError(.io, …)` naming the path.
    public static func write(_ text: String, to path: String, replace: Bool = false) throws {
        try write(text, to: path, replace: replace, hooks: Hooks())
    }

    static func write(_ text: String, to path: String, replace: Bool, hooks: Hooks) throws {
        try write(to: path, replace: replace, hooks: hooks) { emit in try emit(text) }
    }

    /// Writes what `produce` emits, piece by piece, to `path`, as `write(_:to:replace:)` writes
    /// one text: owner-only, complete and synced before it takes the name (so a long export is
    /// never held whole in memory, and a failure midway leaves no partial file).
    public static func write(to path: String, replace: Bool = false, _ produce: (_ emit: (String) throws -> Void) throws -> Void) throws {
        try write(to: path, replace: replace, hooks: Hooks(), produce)
    }

    static func write(to path: String, replace: Bool, hooks: Hooks, _ produce: (_ emit: (String) throws -> Void) throws -> Void) throws {
        func refuse(_ reason: String) -> StoreError { StoreError(.io, "Cannot write \(path): \(reason).") }
        if path.hasSuffix("/") { throw refuse("it names a folder. Give a file name") }
        let url = URL(fileURLWithPath: path)
        let target = url.path
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent

        try makeFolders(dir, for: path, hooks: hooks)
        let exists = try checkTarget(target, for: path)
        if exists && !replace { throw TargetExists(path: path) }

        let (fd, temp) = try createTemp(in: dir, name: name, for: path)
        var isOpen = true, placed = false
        defer {
            if isOpen { _ = close(fd) }
            if !placed { _ = unlink(temp) }
        }
        try hooks.tempCreated(temp)
        try produce { piece in try writeAll(Array(piece.utf8), to: fd, for: path) }
        if fsyncRetrying(fd) != 0 { throw refuse(reason(errno)) }
        isOpen = false
        if close(fd) != 0 { throw refuse(reason(errno)) }
        try hooks.tempWritten(temp)

        if replace {
            if rename(temp, target) != 0 { throw refuse(reason(errno)) }
        } else {
            // link(2) never replaces: a file that appeared since the check above is not overwritten.
            if link(temp, target) == 0 {
                _ = unlink(temp)
            } else {
                let e = errno
                switch e {
                case EEXIST:
                    throw TargetExists(path: path)
                case EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK:
                    // A file system without hard links: fall back to a checked rename.
                    if try checkTarget(target, for: path) { throw TargetExists(path: path) }
                    if rename(temp, target) != 0 { throw refuse(reason(errno)) }
                default:
                    throw refuse(reason(e))
                }
            }
        }
        placed = true
        try syncFolder(dir, for: path)
    }

    // MARK: - Steps

    /// Makes each missing folder of `dir`, 0700 from the start: never more open than that, whatever the umask.
    private static func makeFolders(_ dir: String, for path: String, hooks: Hooks) throws {
        var prefix = ""
        for component in dir.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            var st = stat()
            if stat(prefix, &st) == 0 {
                guard st.st_mode & S_IFMT == S_IFDIR else {
                    throw StoreError(.io, "Cannot write \(path): \(prefix) is \(kind(st.st_mode)), not a folder.")
                }
                continue
            }
            let e = errno
            guard e == ENOENT else { throw StoreError(.io, "Cannot write \(path): \(prefix): \(reason(e)).") }
            if mkdir(prefix, 0o700) != 0 {
                let e = errno
                // Made by someone else meanwhile: use it if it is a folder.
                if e == EEXIST, stat(prefix, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { continue }
                throw StoreError(.io, "Cannot write \(path): the folder \(prefix) cannot be created (\(reason(e))).")
            }
            // A umask can only take bits away; put back the owner's, so the folder is exactly 0700.
            if stat(prefix, &st) == 0, st.st_mode & 0o777 != 0o700, chmod(prefix, 0o700) != 0 {
                throw StoreError(.io, "Cannot write \(path): the folder \(prefix) cannot be made owner-only (\(reason(errno))).")
            }
            try hooks.folderCreated(prefix)
        }
    }

    /// Whether a regular file is at `target`; throws for anything else that is there (a FIFO, a
    /// device, a socket, a folder, a link to one of those or to nothing, a database). Only
    /// `lstat`/`stat` look at it: opening a FIFO would block.
    private static func checkTarget(_ target: String, for path: String) throws -> Bool {
        func refuse(_ reason: String) -> StoreError { StoreError(.io, "Cannot write \(path): \(reason).") }
        var st = stat()
        if lstat(target, &st) != 0 {
            let e = errno
            if e == ENOENT { return false }
            throw refuse(reason(e))
        }
        var mode = st.st_mode
        var link = ""
        if mode & S_IFMT == S_IFLNK {
            if stat(target, &st) != 0 { throw refuse("it is a symbolic link to something that does not exist (\(reason(errno)))") }
            mode = st.st_mode
            link = "a symbolic link to "
        }
        switch mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFDIR:
            throw refuse("it is \(link)a folder. Give a file name")
        default:
            throw refuse("it is \(link)\(kind(mode)), not a regular file; an export is only written to a regular file")
        }
        if isDatabaseFile(target) {
            throw refuse("it is a database file, and an export never replaces one. Choose another name")
        }
        return true
    }

    /// Creates a fresh temporary file beside the target: 0600, exclusive, never through a link.
    private static func createTemp(in dir: String, name: String, for path: String) throws -> (Int32, String) {
        let stem = name.utf8.count <= 100 ? name : "export"
        for _ in 0..<8 {
            let temp = dir + "/.\(stem).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).partial"
            let fd = open(temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { return (fd, temp) }
            let e = errno
            if e == EEXIST || e == EINTR { continue }
            throw StoreError(.io, "Cannot write \(path): \(reason(e)).")
        }
        throw StoreError(.io, "Cannot write \(path): no temporary file could be made in \(dir).")
    }

    /// Writes every byte, through partial writes and interruptions.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32, for path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, base + offset, buffer.count - offset)
                if n > 0 { offset += n; continue }
                let e = n < 0 ? errno : EIO
                if e == EINTR || e == EAGAIN { continue }
                throw StoreError(.io, "Cannot write \(path): \(reason(e)).")
            }
        }
    }

    /// Makes the new name durable: a renamed file is only safe once its folder is synced.
    private static func syncFolder(_ dir: String, for path: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { _ = close(fd) }
        // Some file systems cannot sync a folder (EINVAL): the file is in place all the same.
        if fsyncRetrying(fd) != 0, errno != EINVAL {
            throw StoreError(.io, "Wrote \(path), but the disk reported an error making it durable (\(reason(errno))). Check the disk.")
        }
    }

    private static func fsyncRetrying(_ fd: Int32) -> Int32 {
        while true {
            let r = fsync(fd)
            if r == 0 || errno != EINTR { return r }
        }
    }

    /// `errno` in words, without a trailing period: "No space left on device".
    private static func reason(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "the disk is full"
        case EACCES, EPERM: return "permission denied (check the folder's permissions)"
        case EROFS: return "the disk is read-only"
        default: return String(cString: strerror(code))
        }
    }

    /// What a non-regular file is, in words.
    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFDIR: return "a folder"
        case S_IFLNK: return "a symbolic link"
        case S_IFREG: return "a file"
        default: return "not a regular file"
        }
    }

    /// True for an existing SQLite database or one of its journal files: an export never replaces
    /// those (a mistyped path must not overwrite the clinic's records or a backup). Opens only a
    /// regular file, without blocking, and checks the type again on what it opened.
    static func isDatabaseFile(_ path: String) -> Bool {
        if ["-wal", "-shm", "-journal"].contains(where: { path.hasSuffix($0) }) { return FileManager.default.fileExists(atPath: path) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return false }
        defer { _ = close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        var header = [UInt8](repeating: 0, count: 16)
        let n = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, 0) }
        return n == 16 && header == Array("SQLite format 3\0".utf8)
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
