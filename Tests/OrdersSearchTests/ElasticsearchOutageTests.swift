import Elasticsearch
import Testing

@testable import OrdersSearch

/// Which Elasticsearch failures the query side reports as `ReadSideUnavailable`.
@Suite struct ElasticsearchOutageTests {
    /// What an outage is: the cluster was not reached, took too long, dropped the connection, is
    /// overloaded or failing (429, 5xx), or the client is shutting down. A refused request (4xx),
    /// a TLS setup error or an unreadable answer is not: those stay errors (500).
    @Test func elasticsearchFailuresThatMeanTheReadSideIsUnavailable() {
        func error(_ kind: ElasticsearchError.Kind, _ status: Int? = nil) -> ElasticsearchError {
            ElasticsearchError(kind, method: "POST", path: "/orders/_search", status: status)
        }
        for unavailable in [
            error(.connect), error(.timeout), error(.transport), error(.shutDown), error(.elasticsearch, 429), error(.elasticsearch, 503),
            error(.httpStatus, 502), error(.httpStatus, 504), error(.elasticsearch, 500),
        ] {
            #expect(unavailable.meansReadSideUnavailable, "\(unavailable)")
        }
        for failure in [
            error(.elasticsearch, 400), error(.elasticsearch, 404), error(.httpStatus, 401), error(.elasticsearch, 403), error(.tls),
            error(.decoding), error(.invalidRequest), error(.cancelled), error(.httpStatus),
        ] {
            #expect(!failure.meansReadSideUnavailable, "\(failure)")
        }
    }
}
