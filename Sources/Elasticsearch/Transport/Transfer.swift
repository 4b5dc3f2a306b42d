import CCurl
import Foundation

/// One request's libcurl state: the body buffer libcurl reads (kept alive for the whole transfer),
/// the header list, and the response body it writes. Touched by the caller before submission and
/// by the loop thread afterwards, never by both at once.
final class Transfer: @unchecked Sendable {
    enum Outcome: Sendable {
        case completed(status: Int)
        case failed(CURLcode, String)
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
    private var bodyBuffer: UnsafeMutableRawBufferPointer?

    init(_ options: Options) { self.options = options }

    deinit {
        curl_slist_free_all(headerList)
        bodyBuffer?.deallocate()
    }

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
                // CURLOPT_POSTFIELDS does not copy: the buffer lives as long as this transfer.
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
                buffer.copyBytes(from: body)
                bodyBuffer = buffer
                ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                ccurl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress)
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
