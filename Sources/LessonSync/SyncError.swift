import Foundation

/// Why a sync stopped, in words for the person holding the device. `kind` lets an app decide
/// what to tell its user (try again later, the channel is stale, the store needs attention).
public struct SyncError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The network or the host failed (refused, reset, stalled, HTTP errors): try again later.
        case network
        /// What arrived does not match what the channel signed: tampered or damaged, refused.
        case integrity
        /// The channel offers a release older than the store's (rollback).
        case rollback
        /// latest.json has expired (freeze): someone may be hiding newer releases.
        case expired
        /// Not signed by a trusted key, nor reached from one through the signed key chain.
        case untrusted
        /// The source is not a channel, or does not hold what the subscription needs.
        case source
        /// The store cannot be written, is damaged, or another sync is running.
        case store
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Why reading the store failed (nothing synced yet, a missing lesson, a damaged file).
public struct StoreError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
