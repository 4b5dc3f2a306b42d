import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 22, item 8: `orders reindex` in a terminal, and interrupted.
extension CLITests {
    /// On a terminal the bar is redrawn in place: it never shows 0/0, each log line starts a line
    /// of its own (above the bar, never after it), and the summary comes after the bar, in the
    /// order things happened.
    @Test func reindexOnATerminalKeepsLogLinesOffTheBar() throws {
        try Self.withDirectory { directory in
            try Self.seedAndProject(orders: 300, in: directory)
            let reindex = try Self.runInTerminal(["reindex", "--batch-orders", "20"], in: directory)
            #expect(reindex.status == 0, "\(reindex.text)")
            #expect(!reindex.text.contains(" 0/0 "), "\(reindex.text.debugDescription)")
            let lines = reindex.text.components(separatedBy: "\r\n")
            let logLines = lines.filter { $0.contains(" notice orders:") }
            #expect(logLines.count >= 3, "started, retired, done: \(reindex.text.debugDescription)")
            for line in logLines {
                // What the line shows once the terminal obeyed the carriage returns and erasures.
                let shown = line.components(separatedBy: "\r").last?.replacingOccurrences(of: "\u{1B}[2K", with: "") ?? ""
                #expect(
                    shown.wholeMatch(of: /\d{4}-\d\d-\d\dT\S+ notice orders: .*/) != nil, "a log line on a line of its own: \(line.debugDescription)")
            }
            let summary = lines.drop { !$0.hasPrefix("loaded ") }
            #expect(summary.count >= 3, "\(reindex.text.debugDescription)")
            #expect(summary.first?.hasPrefix("loaded 300 orders into read-2.sqlite") == true, "\(summary)")
            #expect(summary.dropFirst().first == "read-2.sqlite is live with 300 orders, in place of read-1.sqlite", "\(summary)")
            #expect(summary.dropFirst(2).first == "deleted read-1.sqlite", "\(summary)")
            #expect(!summary.contains { $0.contains("[") || $0.contains("notice") }, "nothing after the summary: \(summary)")
        }
    }

    /// Ctrl-C stops a reindex with status 130 and says how to go on; run again, it resumes and
    /// finishes.
    @Test func reindexInterruptedExits130AndResumes() throws {
        try Self.withDirectory { directory in
            try Self.seedAndProject(orders: 1000, in: directory)
            let (process, out, err) = try Self.launch(["reindex", "--batch-orders", "5"], in: directory)
            // Progress goes to standard error as JSON lines (not a terminal): the first one
            // says it is loading.
            var stderr = Data()
            while !String(decoding: stderr, as: UTF8.self).contains(#""phase":"loading""#) {
                let more = err.fileHandleForReading.availableData
                guard !more.isEmpty else { break }
                stderr.append(more)
            }
            kill(process.processIdentifier, SIGINT)
            stderr.append(err.fileHandleForReading.readDataToEndOfFile())
            _ = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: stderr, as: UTF8.self)
            #expect(process.terminationStatus == 130, "\(text)")
            #expect(text.contains("interrupted; run it again to resume"), "\(text)")
            #expect(!text.contains("Error:"), "\(text)")

            let status = try Self.run(["status"], in: directory)
            #expect(status.stdout.contains("stopped: run `orders reindex` to resume it"), "\(status.stdout)")
            let again = try Self.run(["reindex"], in: directory)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.hasPrefix("resumed: loaded "), "\(again.stdout)")
            #expect(again.stdout.contains("read-2.sqlite is live with 1000 orders"), "\(again.stdout)")
        }
    }
}
