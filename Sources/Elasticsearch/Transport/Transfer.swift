import CCurl
import Foundation

/// One request's libcurl state: the request body libcurl reads through a callback (no copy of
/// our own), the header list, and the response body it writes. Touched by the caller before submission and
/// by the loop thread afterwards, never by both at once.
final class Transfer: @unchecked Sendable {
    enum Outcome: Sendable {
        case completed(status: Int)
        case failed(CURLcode, String)
        /// The loop was stopped before the transfer could finish.
        case shutDown
    }

    struct Options {
        var url: String
        var method: HTTPRequest.Method
        var headers: [String]
        var body: [UInt8]?
        var connectTimeoutMilliseconds: Int
        var timeoutMilliseconds: Int
        var caFile: String?
        var verifyTLS: Bool
        var maximumResponseBytes: Int
    }

    let options: Options
    var response: [UInt8] = []
    var tooLarge = false
    var continuation: CheckedContinuation<Outcome, Never>?
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// How much of the request body libcurl has read.
    var bodyOffset = 0

    init(_ options: Options) { self.options = options }

    deinit { curl_slist_free_all(headerList) }

    func configure(_ easy: UnsafeMutableRawPointer) {
        self.easy = easy
        ccurl_easy_setopt_string(easy, CURLOPT_URL, options.url)
        ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        ccurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")  // gzip/deflate responses, decoded by libcurl
        ccurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        ccurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, options.timeoutMilliseconds)
        if let caFile = options.caFile { ccurl_easy_setopt_string(easy, CURLOPT_CAINFO, caFile) }
        if !options.verifyTLS {
            ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            ccurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
        switch options.method {
        case .get: ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case .head: ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1)
        case .post, .put, .delete:
            if options.method != .post { ccurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, options.method.rawValue) }
            if let body = options.body ?? (options.method == .post ? [] : nil) {
                // libcurl pulls the body through `readBody` straight from our array, and can rewind
                // it through `seekBody` when it resends on a kept-alive connection that had closed.
                ccurl_easy_setopt_long(easy, CURLOPT_POST, 1)
                ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                ccurl_easy_setopt_callback(easy, CURLOPT_READFUNCTION, readBody)
                ccurl_easy_setopt_pointer(easy, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
                ccurl_easy_setopt_seek_callback(easy, CURLOPT_SEEKFUNCTION, seekBody)
                ccurl_easy_setopt_pointer(easy, CURLOPT_SEEKDATA, Unmanaged.passUnretained(self).toOpaque())
                ccurl_easy_setopt_long(easy, CURLOPT_UPLOAD_BUFFERSIZE, 256 * 1024)
            }
        }
        // An empty `Expect:` stops libcurl from waiting for `100 Continue` on bodies over 1 MB.
        for header in options.headers + ["Expect:"] { headerList = curl_slist_append(headerList, header) }
        ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        ccurl_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, writeResponse)
        ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
    }

    func complete(_ outcome: Outcome) {
        easy = nil
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: outcome)
    }
}

/// libcurl's write callback: appends the received bytes to the transfer's response.
private func writeResponse(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard transfer.response.count + length <= transfer.options.maximumResponseBytes else {
        transfer.tooLarge = true
        return 0  // aborts the transfer with CURLE_WRITE_ERROR
    }
    data!.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
        transfer.response.append(contentsOf: UnsafeBufferPointer(start: bytes, count: length))
    }
    return length
}

/// libcurl's read callback: copies the next part of the request body into libcurl's buffer.
private func readBody(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    guard let body = transfer.options.body else { return 0 }
    let length = min(size * count, body.count - transfer.bodyOffset)
    guard length > 0 else { return 0 }
    body.withUnsafeBytes { source in
        UnsafeMutableRawPointer(buffer!).copyMemory(from: source.baseAddress! + transfer.bodyOffset, byteCount: length)
    }
    transfer.bodyOffset += length
    return length
}

/// libcurl's seek callback: rewinds the request body (only to absolute offsets).
private func seekBody(_ context: UnsafeMutableRawPointer?, _ offset: curl_off_t, _ origin: Int32) -> Int32 {
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    guard origin == SEEK_SET, offset >= 0, Int(offset) <= (transfer.options.body?.count ?? 0) else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    transfer.bodyOffset = Int(offset)
    return Int32(CURL_SEEKFUNC_OK)
}
