import Foundation
import Synchronization

/// Standard error shared by a status line redrawn in place (a progress bar) and whole lines
/// (log lines): a line is written above the status line, which is drawn again under it, so the
/// two never share a terminal line.
final class StatusLine: Sendable {
    /// What the status line shows now, nil when none is drawn.
    private let shown = Mutex<String?>(nil)
    private static let erase = "\r\u{1B}[2K"

    /// Draws `text` in place of the status line.
    func draw(_ text: String) {
        shown.withLock { shown in
            shown = text
            Self.write(Self.erase + text)
        }
    }

    /// Writes `line` (ending with a newline) above the status line.
    func write(line: String) {
        shown.withLock { shown in
            Self.write(shown.map { Self.erase + line + $0 } ?? line)
        }
    }

    /// Leaves the status line as it is and moves below it: what follows starts a line of its own.
    func end() {
        shown.withLock { shown in
            if shown != nil { Self.write("\n") }
            shown = nil
        }
    }

    /// A stream for `StreamLogHandler`, which writes each log line whole: above the status line.
    var stream: Stream { Stream(statusLine: self) }

    struct Stream: TextOutputStream, Sendable {
        let statusLine: StatusLine
        mutating func write(_ string: String) { statusLine.write(line: string) }
    }

    private static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
