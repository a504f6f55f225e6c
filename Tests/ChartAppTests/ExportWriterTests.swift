import ChartCore
import ChartStore
import ChartUI
import Foundation
import Testing
@testable import ChartApp

/// Exports are owner-only from the first byte, replace only a regular file and only when asked,
/// and refuse FIFOs, devices, sockets and folders by their type, at once (SPEC §8).
@Suite struct ExportWriterTests {
    /// A scratch folder, removed at the end of the test.
    final class Scratch {
        let path = NSTemporaryDirectory() + "nc-export-" + UUID().uuidString.prefix(8)
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        /// Names in the folder, hidden ones included (a leftover `.partial` would show here).
        func names(in sub: String = "") -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path + sub)) ?? []).sorted()
        }
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : 0
    }

    /// Runs `body` on its own thread; nil if it has not finished within `seconds` (it hung).
    static func finishing(within seconds: Double, _ body: @escaping @Sendable () throws -> Void) -> Result<Void, any Error>? {
        final class Box: @unchecked Sendable { var result: Result<Void, any Error>? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        Thread { box.result = Result { try body() }; done.signal() }.start()
        return done.wait(timeout: .now() + seconds) == .success ? box.result : nil
    }

    /// The error `body` throws, as the one line a clinician would read.
    static func message(_ result: Result<Void, any Error>?) -> String? {
        guard case let .failure(error)? = result else { return nil }
        return (error as? StoreError)?.message ?? "\(error)"
    }

    // MARK: - Owner-only from the start

    @Test func theTemporaryFileAndEveryNewFolderAreOwnerOnlyBeforeAByteIsWritten() throws {
        let scratch = try Scratch()
        let target = scratch.path + "/new/deeper/note.txt"
        final class Seen: @unchecked Sendable { var folders: [(String, mode_t)] = []; var temp: (mode_t, Int)? ; var tempName = "" }
        let seen = Seen()
        var hooks = ExportWriter.Hooks()
        hooks.folderCreated = { seen.folders.append(($0, Self.mode($0))) }
        hooks.tempCreated = { path in
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            seen.temp = (Self.mode(path), size)
            seen.tempName = path
        }
        try ExportWriter.write(String(repeating: "Zoë Ångström, NC-0042\n", count: 10_000), to: target, replace: false, hooks: hooks)

        #expect(seen.folders.map(\.0) == [scratch.path + "/new", scratch.path + "/new/deeper"])
        for (folder, mode) in seen.folders { #expect(mode & 0o7777 == 0o700, "\(folder) was \(String(mode & 0o7777, radix: 8)) when made") }
        let temp = try #require(seen.temp)
        #expect(temp.0 & 0o7777 == 0o600, "the temporary file was \(String(temp.0 & 0o7777, radix: 8)) when made")
        #expect(temp.0 & S_IFMT == S_IFREG)
        #expect(temp.1 == 0, "nothing written before its mode is owner-only")
        #expect(seen.tempName.hasPrefix(scratch.path + "/new/deeper/."), "made beside the target, hidden")
        #expect(Self.mode(target) & 0o7777 == 0o600)
        #expect(Self.mode(scratch.path + "/new") & 0o7777 == 0o700)
        #expect(scratch.names(in: "/new/deeper") == ["note.txt"], "no temporary file left")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("Zoë Ångström, NC-0042\n"))
    }

    /// Black-box: another thread lists the folder and stats every file while exports are written
    /// and replaced. Anything with a group or other bit, even for an instant, is a leak.
    @Test func nothingInTheFolderIsEverReadableByOthersWhileExportsAreWritten() throws {
        let scratch = try Scratch()
        final class Watch: @unchecked Sendable { var stop = false; var leaks: [String] = []; var looks = 0 }
        let watch = Watch(), finished = DispatchSemaphore(value: 0), dir = scratch.path
        Thread {
            while !watch.stop {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    let mode = Self.mode(dir + "/" + name)
                    if mode != 0, mode & 0o077 != 0 { watch.leaks.append("\(name) \(String(mode & 0o777, radix: 8))") }
                    watch.looks += 1
                }
            }
            finished.signal()
        }.start()
        let text = String(repeating: "Zoë Ångström, NC-0042, low back pain, 2025-06-03 09:00\n", count: 10_000)
        for i in 0..<100 { try ExportWriter.write(text, to: dir + "/note-\(i % 3).txt", replace: true) }
        watch.stop = true
        finished.wait()
        #expect(watch.looks > 0)
        #expect(watch.leaks.isEmpty, "seen readable by others \(watch.leaks.count) times, e.g. \(watch.leaks.prefix(3))")
    }

    @Test func anExistingFolderKeepsItsMode() throws {
        let scratch = try Scratch()
        #expect(chmod(scratch.path, 0o755) == 0)
        try ExportWriter.write("note\n", to: scratch.path + "/note.txt")
        #expect(Self.mode(scratch.path) & 0o7777 == 0o755, "only folders it makes are 0700")
        #expect(Self.mode(scratch.path + "/note.txt") & 0o7777 == 0o600)
    }

    @Test func aFailureMidWayLeavesNoTemporaryFileAndSaysWhereInOneLine() throws {
        let scratch = try Scratch()
        let target = scratch.path + "/note.txt"
        try ExportWriter.write("first\n", to: target)
        for failing in [\ExportWriter.Hooks.tempCreated, \ExportWriter.Hooks.tempWritten] {
            var hooks = ExportWriter.Hooks()
            hooks[keyPath: failing] = { _ in throw StoreError(.io, "Cannot write \(target): the disk is full.") }
            #expect(throws: StoreError.self) { try ExportWriter.write("second\n", to: target, replace: true, hooks: hooks) }
            #expect(scratch.names() == ["note.txt"], "the temporary file is removed")
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "first\n", "the earlier export is untouched")
        }
        // A path through a file: one line that names the path and the reason.
        let through = scratch.path + "/note.txt/inner/x.txt"
        let message = Self.message(Result { try ExportWriter.write("x\n", to: through) })
        #expect(message == "Cannot write \(through): \(target) is a file, not a folder.")
        #expect(Self.message(Result { try ExportWriter.write("x\n", to: scratch.path + "/") })
                == "Cannot write \(scratch.path)/: it names a folder. Give a file name.")
    }

    @Test func aStreamedExportIsWrittenWholeOrNotAtAll() throws {
        let scratch = try Scratch()
        let target = scratch.path + "/patient.txt"
        try ExportWriter.write(to: target) { emit in for piece in ["one\n", "", "two\n", "three\n"] { try emit(piece) } }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "one\ntwo\nthree\n")
        #expect(Self.mode(target) & 0o777 == 0o600)
        // A failure after some pieces: the earlier file stays, no partial file is left.
        #expect(throws: StoreError.self) {
            try ExportWriter.write(to: target, replace: true) { emit in
                try emit("half\n")
                throw StoreError(.io, "the store failed")
            }
        }
        #expect(scratch.names() == ["patient.txt"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "one\ntwo\nthree\n")
    }

    // MARK: - Only a regular file, refused by type without opening it

    @Test func aFIFOIsRefusedAtOnceAndLeftAFIFO() throws {
        let scratch = try Scratch()
        let fifo = scratch.path + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let link = scratch.path + "/link-to-pipe"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
        for (target, why) in [(fifo, "it is a named pipe (FIFO)"), (link, "it is a symbolic link to a named pipe (FIFO)")] {
            for replace in [false, true] {
                let result = Self.finishing(within: 10) { try ExportWriter.write("note\n", to: target, replace: replace) }
                if result == nil {
                    // It hung opening the FIFO: give it a writer so the thread can end, then fail.
                    let fd = open(fifo, O_WRONLY | O_NONBLOCK)
                    if fd >= 0 { close(fd) }
                    Issue.record("writing to \(target) hung")
                    continue
                }
                #expect(Self.message(result) == "Cannot write \(target): \(why), not a regular file; an export is only written to a regular file.")
            }
        }
        #expect(Self.mode(fifo) & S_IFMT == S_IFIFO)
        #expect(Self.mode(link) & S_IFMT == S_IFLNK)
        #expect(scratch.names() == ["link-to-pipe", "pipe"], "no temporary file left")
    }

    @Test func aDeviceIsRefusedAndUnchanged() throws {
        let scratch = try Scratch()
        // As root, a private node like /dev/null (1, 3); otherwise /dev/null itself, which nobody
        // but root could replace anyway. Never /dev/null as root: old code would replace it.
        let device: String
        if getuid() == 0 {
            device = scratch.path + "/null"
            #expect(mknod(device, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0, "makedev(1, 3), as /dev/null")
        } else {
            device = "/dev/null"
        }
        var before = stat()
        #expect(lstat(device, &before) == 0)
        for replace in [false, true] {
            let result = Self.finishing(within: 10) { try ExportWriter.write("Zoë Ångström\n", to: device, replace: replace) }
            #expect(Self.message(result) == "Cannot write \(device): it is a character device, not a regular file; an export is only written to a regular file.")
        }
        var after = stat()
        #expect(lstat(device, &after) == 0)
        #expect(after.st_mode == before.st_mode && after.st_rdev == before.st_rdev && after.st_ino == before.st_ino, "the device is still there")
        if getuid() == 0 { #expect(scratch.names() == ["null"], "no temporary file left") }
    }

    @Test func aSocketIsRefusedAndUnchanged() throws {
        let scratch = try Scratch()
        let path = scratch.path + "/sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        for replace in [false, true] {
            let result = Self.finishing(within: 10) { try ExportWriter.write("note\n", to: path, replace: replace) }
            #expect(Self.message(result) == "Cannot write \(path): it is a socket, not a regular file; an export is only written to a regular file.")
        }
        #expect(Self.mode(path) & S_IFMT == S_IFSOCK)
        #expect(scratch.names() == ["sock"])
    }

    @Test func aFolderOrALinkToOneIsRefused() throws {
        let scratch = try Scratch()
        let folder = scratch.path + "/notes"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let link = scratch.path + "/notes-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder)
        let dangling = scratch.path + "/gone"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: scratch.path + "/nothing-here")
        for replace in [false, true] {
            #expect(Self.message(Result { try ExportWriter.write("x\n", to: folder, replace: replace) })
                    == "Cannot write \(folder): it is a folder. Give a file name.")
            #expect(Self.message(Result { try ExportWriter.write("x\n", to: link, replace: replace) })
                    == "Cannot write \(link): it is a symbolic link to a folder. Give a file name.")
            #expect(Self.message(Result { try ExportWriter.write("x\n", to: dangling, replace: replace) })?
                .hasPrefix("Cannot write \(dangling): it is a symbolic link to something that does not exist") == true)
        }
        #expect(scratch.names() == ["gone", "notes", "notes-link"])
        #expect(scratch.names(in: "/notes").isEmpty)
    }

    // MARK: - Replacing

    @Test func anExistingFileIsReplacedOnlyWhenAsked() throws {
        let scratch = try Scratch()
        let target = scratch.path + "/note.txt"
        try "an earlier export\n".write(toFile: target, atomically: false, encoding: .utf8)
        #expect(chmod(target, 0o644) == 0)
        #expect(throws: ExportWriter.TargetExists(path: target)) { try ExportWriter.write("new\n", to: target) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "an earlier export\n", "nothing written")
        #expect(scratch.names() == ["note.txt"], "no temporary file left")

        try ExportWriter.write("new\n", to: target, replace: true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new\n")
        #expect(Self.mode(target) & 0o7777 == 0o600, "the replacement is owner-only")
        #expect(scratch.names() == ["note.txt"])
    }

    @Test func aLinkToAFileIsReplacedNotWrittenThrough() throws {
        let scratch = try Scratch()
        let real = scratch.path + "/real.txt", link = scratch.path + "/link.txt"
        try "kept\n".write(toFile: real, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        #expect(throws: ExportWriter.TargetExists(path: link)) { try ExportWriter.write("new\n", to: link) }
        try ExportWriter.write("new\n", to: link, replace: true)
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "kept\n", "the file the link pointed to is untouched")
        #expect(Self.mode(link) & S_IFMT == S_IFREG)
    }

    @Test func aDatabaseIsNeverReplacedEvenWhenAsked() throws {
        let scratch = try Scratch()
        let path = scratch.path + "/clinic.sqlite"
        _ = try AppDatabase.open(path: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for replace in [false, true] {
            #expect(Self.message(Result { try ExportWriter.write("note\n", to: path, replace: replace) })
                    == "Cannot write \(path): it is a database file, and an export never replaces one. Choose another name.")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    // MARK: - Through the effect runner

    @Test func theRunnerReportsAnExistingFileAndReplacesItOnlyWhenAsked() throws {
        let scratch = try Scratch()
        let env = ChartEnvironment.fixed()
        let db = try AppDatabase.inMemory(environment: env)
        try db.saveClinician(clinician)
        try db.loadDemo(DemoClinic.make(today: env.now(), timeZone: TimeZone(identifier: "UTC")!))
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                                  exportDirectory: scratch.path)
        let ids = try (Int64(1)...30).flatMap { try db.sessionRecords(patientID: $0).map(\.session.id) }
        let sessionID = try #require(ids.first)
        let target = scratch.path + "/note.txt"
        try "an earlier export\n".write(toFile: target, atomically: false, encoding: .utf8)

        #expect(runner.run(.export(ExportRequest(scope: .session(sessionID), path: "note.txt"))) == [.exportTargetExists(path: target)])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "an earlier export\n")
        let head = try #require(try db.auditLog(limit: 1).last?.hash)
        let replaced = runner.run(.export(ExportRequest(scope: .session(sessionID), path: target, replace: true)))
        let seal = try #require(try db.auditLog(limit: 1).last?.hash)
        #expect(seal != head, "the export wrote its audit row")
        #expect(replaced == [.exported(path: target, seal: seal)], "the seal is the head after the export's own row")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("DRY NEEDLING SESSION NOTE\n"))
        #expect(scratch.names() == ["note.txt"])
    }
}
