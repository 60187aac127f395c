package calls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The employee dashboard's missed, dialled and received calls
// (docs/ui.md, "Dashboards"): each list is the employee's newest calls of
// one kind within RecentWindow, read newest first through the
// calls_employee_time index and stopped at RecentShown rows, so its cost
// is bounded by one person's calls of a month whatever the table holds.

// RecentShown is how many calls each list of the dashboard shows.
const RecentShown = 10

// RecentWindow is how far back the lists look: one person's calls of a
// month are a few thousand at most (docs/cdr.md), so a list that finds
// fewer than RecentShown calls of its kind never reads more than that.
const RecentWindow = 31 * 24 * time.Hour

// RecentKind is one list of the dashboard.
type RecentKind string

const (
	// RecentMissed are inbound calls nobody answered.
	RecentMissed RecentKind = "missed"
	// RecentDialled are outbound calls, answered or not.
	RecentDialled RecentKind = "dialled"
	// RecentReceived are inbound calls the employee answered.
	RecentReceived RecentKind = "received"
)

// RecentCall is one call of a dashboard list, in the viewer's zone.
type RecentCall struct {
	ID int64 `json:"id"`
	// Number is the other party: the caller of a missed or received call,
	// the destination of a dialled one.
	Number string `json:"number"`
	// BusinessNumber is the employee's number the call was made on.
	BusinessNumber string    `json:"business_number"`
	Time           time.Time `json:"time"`
	// Duration is the billable (talk) seconds; 0 for a missed call.
	Duration int    `json:"duration"`
	Status   string `json:"status"`
}

// Recent is an employee's recent calls by kind.
type Recent struct {
	EmployeeID int64 `json:"employee_id"`
	// TimeZone is the zone the times are given in.
	TimeZone string `json:"time_zone"`
	// Since is the start of the window, in that zone.
	Since    time.Time    `json:"since"`
	Missed   []RecentCall `json:"missed"`
	Dialled  []RecentCall `json:"dialled"`
	Received []RecentCall `json:"received"`
}

// recentQuery is the SQL of one list: the employee's calls of the kind in
// [since, now), newest first. Its plan is checked by TestRecentCallsPlan.
func recentQuery(kind RecentKind) (string, []any) {
	w := []string{"employee_id = ?", "start_at >= ?", "direction = ?"}
	var args []any
	number := "calling"
	switch kind {
	case RecentMissed:
		w, args = append(w, "status = ?"), []any{int16(Inbound), int16(Unanswered)}
	case RecentReceived:
		w, args = append(w, "status = ?"), []any{int16(Inbound), int16(Answered)}
	default:
		number, args = "called", []any{int16(Outbound)}
	}
	return "SELECT id, " + number + ", business_number, start_at, billsec, status FROM calls WHERE " + strings.Join(w, " AND ") +
		" ORDER BY start_at DESC LIMIT ?", args
}

// RecentCalls are employee id's newest missed, dialled and received calls
// (RecentShown of each, within RecentWindow), with times in tz (an IANA
// name; UTC when empty). Whoever may view the employee may read them: the
// employee, their company's administrators, the group administrators of
// a group they are in, the provider's operators; anyone else is answered
// as for an employee that does not exist.
func (s *Service) RecentCalls(ctx context.Context, actor access.Actor, id int64, tz string) (r Recent, err error) {
	defer derrors.Wrap(&err, "calls: recent calls of employee %d", id)
	if err := s.access.Check(ctx, actor, access.ViewEmployee, access.Employee(id)); err != nil {
		return r, err
	}
	loc, err := Zone(tz)
	if err != nil {
		return r, err
	}
	return s.recent(ctx, id, loc, time.Now())
}

// Zone reads a viewer's time zone (an IANA name; UTC when empty), with the
// Call Logs' rule and message.
func Zone(tz string) (*time.Location, error) {
	if tz == "" || tz == "UTC" {
		return time.UTC, nil
	}
	l, err := time.LoadLocation(tz)
	if err != nil || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
		return nil, derrors.Invalid("tz", "%q is not a time zone: use an IANA name such as Europe/London", tz)
	}
	return l, nil
}

func (s *Service) recent(ctx context.Context, id int64, loc *time.Location, now time.Time) (Recent, error) {
	since := now.Add(-RecentWindow)
	r := Recent{EmployeeID: id, TimeZone: loc.String(), Since: since.In(loc)}
	for _, l := range []struct {
		kind RecentKind
		into *[]RecentCall
	}{{RecentMissed, &r.Missed}, {RecentDialled, &r.Dialled}, {RecentReceived, &r.Received}} {
		query, filter := recentQuery(l.kind)
		args := append([]any{id, since.UnixMilli()}, filter...)
		rows, err := s.db.Q(ctx).Query(ctx, query, append(args, RecentShown)...)
		if err != nil {
			return r, fmt.Errorf("%s calls: %w", l.kind, err)
		}
		*l.into = []RecentCall{}
		for rows.Next() {
			var c RecentCall
			var start int64
			var status int16
			if err := rows.Scan(&c.ID, &c.Number, &c.BusinessNumber, &start, &c.Duration, &status); err != nil {
				rows.Close()
				return r, err
			}
			c.Time, c.Status = time.UnixMilli(start).In(loc), Status(status).String()
			*l.into = append(*l.into, c)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return r, err
		}
	}
	return r, nil
}
