package import Foundation

/// A loopback endpoint in a child process, so that a benchmark counts only its own CPU.
///
/// The benchmark executable starts itself again with `--serve`; the child calls `serve` with a
/// handler, prints its port and answers until its standard input closes (the parent exited).
package final class ChildEndpoint {
    package let url: URL
    private let input: FileHandle
    private let child: Process

    /// Starts `executable --serve` and waits for the port it prints.
    package init(executable: String = CommandLine.arguments[0]) throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["--serve"]
        let output = Pipe()
        let input = Pipe()
        child.standardOutput = output
        child.standardInput = input
        try child.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else { throw LoopbackError(reason: "the child endpoint did not start: '\(line)'") }
        url = URL(string: "http://127.0.0.1:\(port)")!
        self.input = input.fileHandleForWriting
        self.child = child
    }

    /// Lets the child finish and waits for it.
    package func stop() {
        try? input.close()
        child.waitUntilExit()
    }

    /// In the child: serves `handler` until standard input closes, then exits.
    package static func serve(_ handler: @escaping LoopbackServer.Handler) -> Never {
        let server = try! LoopbackServer(handler: handler)
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        _ = FileHandle.standardInput.readDataToEndOfFile()
        server.stop()
        exit(0)
    }

    /// A `_bulk` answer like Elasticsearch's: one successful `index` item per action line,
    /// trimmed to its status when the request has a `filter_path`. `indexed` gets the count.
    package static func bulkAnswer(_ request: LoopbackServer.Request, indexed: inout Int) -> LoopbackServer.Response {
        var items: [UInt8] = Array(#"{"took":3,"errors":false,"items":["#.utf8)
        let trimmed = request.query?.contains("filter_path") == true
        var lineStart = 0
        var expectSource = false
        var first = true
        for (index, byte) in request.body.enumerated() where byte == UInt8(ascii: "\n") {
            defer { lineStart = index + 1 }
            if expectSource {
                expectSource = false
                continue
            }
            expectSource = true
            indexed += 1
            if !first { items.append(UInt8(ascii: ",")) }
            first = false
            if trimmed {
                items.append(contentsOf: #"{"index":{"status":201}}"#.utf8)
            } else {
                // The id sits after `"_id":"` in the action line.
                let line = request.body[lineStart..<index]
                let id = String(decoding: line, as: UTF8.self).split(separator: "\"")[7]
                items.append(
                    contentsOf:
                        #"{"index":{"_index":"orders","_id":"\#(id)","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":\#(index),"_primary_term":1,"status":201}}"#
                        .utf8
                )
            }
        }
        items.append(contentsOf: "]}".utf8)
        return LoopbackServer.Response(body: items)
    }
}

package struct LoopbackError: Error, CustomStringConvertible {
    package var reason: String
    package var description: String { reason }
}
