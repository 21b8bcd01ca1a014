public import HandoffDestination
public import HandoffTime
public import PagerDuty
import SafeText

// MARK: - What an exported shift becomes on a shift-based schedule (reference section 12)

/// The pure half of the v3 export: from PagerDuty's own final schedule of a shift-based schedule
/// (and its overrides, for who an override hides), the pieces each wanted shift becomes. No I/O:
/// `PagerDutyDestination.layout` reads, this decides.
///
/// The chosen rotation R's own timeline (section 12.2): an entry of the final schedule whose
/// source is R gives R's member; an entry of an override on R gives that override's
/// `overridden_member` (looked up in the override list), so that Handoff's own overrides and a
/// person's do not change what R itself says; an interval with no R entry is a gap. Each shift is
/// cut at R's handoffs (section 12.3): where R has the shift's person on call, nothing is written
/// (`write: nil`); where R has another member M, an override of M on R; where R's seat is vacant,
/// or R has no shift, a custom shift. Back-to-back pieces with the same target are merged; a
/// change of M always cuts.
///
/// **Several seats of R at once** (an `every_member` event, or overlapping events): if one of
/// them is the shift's person, nothing is written there; otherwise the piece is a custom shift,
/// which adds the person beside the seats and takes nobody off call, since which seat a v2-style
/// "replace" would mean is not Handoff's to guess. The layout then carries a note saying so.
public enum V3Layout {
    /// A rotation of the schedule as the layout needs it: its id and the names of its events
    /// (PagerDuty's rotations have no name of their own; `pagerduty_rotation` may name one by the
    /// name of one of its events).
    public struct Rotation: Sendable, Hashable {
        public var id: String
        public var names: [String]

        public init(id: String, names: [String]) {
            self.id = id
            self.names = names
        }

        init(_ rotation: PagerDutyRotation) {
            self.init(id: rotation.id, names: rotation.events.compactMap(\.name))
        }

        /// `AB12 ("Weekly")`, escaped, for messages.
        var words: String {
            let shown = names.prefix(3).map { "\"\(SafeText.excerpt($0))\"" }
            return SafeText.excerpt(id) + (shown.isEmpty ? "" : " (" + shown.joined(separator: ", ") + ")")
        }
    }

    /// One seat of R over a time: the user holding it, or nil for a vacant seat (or a member of
    /// a kind Handoff does not know, which cannot be named as the one overridden).
    public struct Seat: Sendable, Hashable {
        public var range: InstantRange
        public var userID: String?

        public init(range: InstantRange, userID: String?) {
            self.range = range
            self.userID = userID
        }
    }

    /// The most final-schedule entries read for one layout (as for `onCall`).
    public static let maximumEntries = PagerDutyDestination.maximumOnCallEntries

    // MARK: - The whole layout

    /// The layout of `shifts` on schedule `schedule`: the rotation chosen from `requested` (see
    /// `chooseRotation`), its timeline from `assignments` and `overrides`, then the pieces, with a
    /// note where other rotations stay on call and where R has several seats at once.
    public static func layout(
        schedule: String,
        requested: String?,
        rotations: [Rotation],
        assignments: [PagerDutyComputedShift],
        overrides: [PagerDutyOverrideShift],
        shifts: [PlannedOverride]
    ) throws -> DestinationLayout {
        let chosen = try chooseRotation(requested, among: rotations, schedule: schedule)
        var notes: [String] = []
        let seats: [Seat]
        if let chosen {
            seats = try timeline(rotation: chosen.id, assignments: assignments, overrides: overrides, schedule: schedule)
            let others = rotations.filter { $0.id != chosen.id }
            if !others.isEmpty {
                notes.append(
                    "the exported person is on call beside the members of the schedule's other rotations ("
                        + others.prefix(5).map(\.words).joined(separator: ", ") + (others.count > 5 ? ", …" : "")
                        + "), who stay on call: on a shift-based schedule Handoff overrides only rotation \(SafeText.excerpt(chosen.id)), "
                        + "and PagerDuty cannot make one person the only one on call"
                )
            }
        } else {
            seats = []
        }
        var concurrent = false
        let pieces = shifts.map { shift in
            let result = Self.pieces(of: shift, rotation: chosen?.id, seats: seats)
            concurrent = concurrent || result.concurrent
            return result.pieces
        }
        if concurrent, let chosen {
            notes.append(
                "rotation \(SafeText.excerpt(chosen.id)) has several people on call at once during parts of the exported shifts; "
                    + "there the exported person is added with a custom shift beside them, and nobody is taken off call"
            )
        }
        return DestinationLayout(kind: .shiftBased, pieces: pieces, notes: notes, updatesInPlace: true, underlying: underlying(seats, rotation: chosen?.id))
    }

    /// R's own members as the plan's handovers show them where no override holds the pager: the
    /// seats with a user, in the final schedule's order (where R has several at once, the plan
    /// names one of them); a vacant seat is nobody.
    public static func underlying(_ seats: [Seat], rotation: String?) -> [UnderlyingOnCall] {
        guard let rotation else { return [] }
        return seats.compactMap { seat in
            seat.userID.map { UnderlyingOnCall(range: seat.range, userID: $0, rotationID: rotation) }
        }
    }

    // MARK: - Choosing the rotation

    /// The rotation whose on-call the export replaces: the one `requested` names (its id, or the
    /// name of one of its events), or the only one when none is named. Nil when the schedule has
    /// no rotation and none is named (every piece is then a custom shift). Several rotations and
    /// none named, a name that matches none, or a name that matches several, is an error naming
    /// the choices.
    public static func chooseRotation(_ requested: String?, among rotations: [Rotation], schedule: String) throws -> Rotation? {
        let choices = rotations.prefix(10).map(\.words).joined(separator: ", ") + (rotations.count > 10 ? ", …" : "")
        let where_ = "PagerDuty schedule \(SafeText.excerpt(schedule))"
        guard let requested else {
            guard rotations.count > 1 else { return rotations.first }
            throw DestinationError(
                .other,
                "\(where_) is shift-based and has \(rotations.count) rotations (\(choices)); "
                    + "name the one whose on-call the export replaces with pagerduty_rotation"
            )
        }
        if let byID = rotations.first(where: { $0.id == requested }) { return byID }
        let byName = rotations.filter { rotation in rotation.names.contains { $0.lowercased() == requested.lowercased() } }
        if byName.count == 1, let only = byName.first { return only }
        guard byName.isEmpty else {
            throw DestinationError(
                .other,
                "pagerduty_rotation \"\(SafeText.excerpt(requested))\" names \(byName.count) rotations of \(where_) "
                    + "(\(byName.prefix(10).map(\.words).joined(separator: ", "))); name one by its id"
            )
        }
        throw DestinationError(
            .other,
            "\(where_) has no rotation \"\(SafeText.excerpt(requested))\" (by id or event name); "
                + (rotations.isEmpty ? "it has no rotations" : "its rotations are \(choices)")
        )
    }

    // MARK: - R's own timeline

    /// R's seats from the final schedule (section 12.2): R's own entries as they are, entries of
    /// overrides on R as the member each override hides. An override entry whose override is not
    /// in `overrides`, or that does not say whom it replaces, is an error: guessing would put
    /// someone beside, or in place of, the wrong person.
    public static func timeline(rotation: String, assignments: [PagerDutyComputedShift], overrides: [PagerDutyOverrideShift], schedule: String) throws -> [Seat] {
        guard assignments.count <= maximumEntries else {
            throw DestinationError(
                .other,
                "PagerDuty's final schedule of \(SafeText.excerpt(schedule)) has \(assignments.count) entries; Handoff reads at most \(maximumEntries)"
            )
        }
        var byID: [String: PagerDutyOverrideShift] = [:]
        for override in overrides where byID[override.id] == nil { byID[override.id] = override }
        var seats: [Seat] = []
        for entry in assignments where entry.start < entry.end && entry.source.rotationID == rotation {
            switch entry.source.kind {
            case .rotation:
                seats.append(Seat(range: entry.range, userID: entry.member.userID))
            case .rotationOverride:
                guard let id = entry.source.overrideID, let override = byID[id], let hidden = override.overriddenMember else {
                    throw DestinationError(
                        .other,
                        "PagerDuty's final schedule of \(SafeText.excerpt(schedule)) shows an override "
                            + "\(SafeText.excerpt(entry.source.overrideID ?? "without an id")) on rotation \(SafeText.excerpt(rotation)) "
                            + "that its override list does not hold with the member it replaces, so Handoff cannot tell who the rotation has on call then"
                    )
                }
                seats.append(Seat(range: entry.range, userID: hidden.userID))
            default:
                continue
            }
        }
        return seats
    }

    // MARK: - Pieces of one shift

    /// `shift` cut at the seats' starts and ends, each piece classified, back-to-back pieces of
    /// the same target merged; `concurrent` when some piece had several seats without the person.
    public static func pieces(of shift: PlannedOverride, rotation: String?, seats: [Seat]) -> (pieces: [LayoutPiece], concurrent: Bool) {
        guard shift.start < shift.end else { return ([], false) }
        let span = InstantRange(start: shift.start, end: shift.end)
        // A sweep over the seats' edges inside the shift: O(n log n) however many seats overlap.
        var edges: [(at: Instant, seat: String?, delta: Int)] = []
        for seat in seats {
            guard let clipped = seat.range.clamped(to: span) else { continue }
            edges.append((clipped.start, seat.userID, 1))
            edges.append((clipped.end, seat.userID, -1))
        }
        edges.sort { $0.at < $1.at }
        var active: [String?: Int] = [:]
        var pieces: [LayoutPiece] = []
        var concurrent = false
        var cursor = shift.start
        var index = 0
        while cursor < shift.end {
            while index < edges.count, edges[index].at <= cursor {
                let edge = edges[index]
                let count = (active[edge.seat] ?? 0) + edge.delta
                active[edge.seat] = count > 0 ? count : nil
                index += 1
            }
            let next = index < edges.count ? min(edges[index].at, shift.end) : shift.end
            let held = Set(active.keys)
            let target: OverrideTarget?
            if held.contains(shift.userID) {
                target = nil
            } else if held.count == 1, let only = held.first, let member = only {
                target = .rotation(id: rotation ?? "", replacing: member)
            } else {
                // No seat (a gap), a vacant seat, or several seats at once.
                concurrent = concurrent || held.count > 1
                target = .customShift
            }
            let write = target.map { PlannedOverride(start: cursor, end: next, userID: shift.userID, target: $0) }
            if let last = pieces.last, last.end == cursor, last.write?.target == write?.target {
                pieces[pieces.count - 1].end = next
                pieces[pieces.count - 1].write?.end = next
            } else {
                pieces.append(LayoutPiece(start: cursor, end: next, write: write))
            }
            cursor = next
        }
        return (pieces, concurrent)
    }
}
