import Foundation

/// The run directory of DESIGN §8 and its append-only files.
///
/// Owned by the coordinator's event-loop thread. Every line is written whole and flushed, so a
/// run that is killed leaves complete lines behind.
public final class RunDirectory {
    public let path: String
    private var handles: [String: FileHandle] = [:]

    /// Creates `path` and `path/logs` if needed.
    public init(path: String) throws(RunDirectoryError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path + "/logs", withIntermediateDirectories: true)
        } catch {
            throw .cannotCreate(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Replaces `name` with `contents`.
    public func write(_ name: String, _ contents: String) throws(RunDirectoryError) {
        closeHandle(name)
        let file = path + "/" + name
        do {
            try contents.write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw .cannotWrite(path: file, reason: "\(error.localizedDescription)")
        }
    }

    /// Replaces `name` with raw bytes.
    public func write(_ name: String, bytes: [UInt8]) throws(RunDirectoryError) {
        closeHandle(name)
        let file = path + "/" + name
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw .cannotWrite(path: file, reason: "\(error.localizedDescription)")
        }
    }

    /// Appends one line (a newline is added) to `name`, creating the file on first use.
    public func append(_ name: String, line: String) throws(RunDirectoryError) {
        let file = path + "/" + name
        do {
            let handle: FileHandle
            if let existing = handles[name] {
                handle = existing
            } else {
                if !FileManager.default.fileExists(atPath: file) {
                    FileManager.default.createFile(atPath: file, contents: nil)
                }
                guard let opened = FileHandle(forWritingAtPath: file) else {
                    throw RunDirectoryError.cannotWrite(path: file, reason: "cannot open for appending")
                }
                try opened.seekToEnd()
                handles[name] = opened
                handle = opened
            }
            try handle.write(contentsOf: Data((line + "\n").utf8))
        } catch let error as RunDirectoryError {
            throw error
        } catch {
            throw .cannotWrite(path: file, reason: "\(error.localizedDescription)")
        }
    }

    /// Closes the append handle of `name`, if open, so that a replaced file is appended to anew.
    private func closeHandle(_ name: String) {
        if let handle = handles.removeValue(forKey: name) { try? handle.close() }
    }

    /// Closes every open file.
    public func close() {
        for handle in handles.values { try? handle.close() }
        handles.removeAll()
    }

    deinit { close() }
}

/// A run directory that cannot be created or written.
public enum RunDirectoryError: Error, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotCreate(path, reason):
            return "cannot create the run directory \(path): \(reason); choose another --out or fix its permissions"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason); check free disk space and permissions"
        }
    }
}
