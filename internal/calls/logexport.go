package calls

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// ExportRequest says which view of a search to export.
type ExportRequest struct {
	// View is list (every call of the search), graph, type or top.
	View     string
	Sort     string       // list
	Graph    GraphRequest // graph
	Category TopCategory  // top
}

// ExportCallLogs writes the search's view as CSV (comma-separated, CRLF,
// a header line). The list is streamed from one query a row at a time, so
// memory stays constant however many calls match. A value a spreadsheet
// would read as a formula is written with a leading apostrophe
// (docs/cdr.md, "Export").
func (s *Service) ExportCallLogs(ctx context.Context, actor access.Actor, q Search, er ExportRequest, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	write := func(rec ...string) error {
		for i, v := range rec {
			rec[i] = csvSafe(v)
		}
		return cw.Write(rec)
	}
	var err error
	switch er.View {
	case "", "list":
		err = s.exportList(ctx, actor, q, er.Sort, cw, write)
	case "graph":
		var g Graph
		if g, err = s.CallLogGraph(ctx, actor, q, er.Graph); err == nil {
			_ = write("Period", "Start", "Calls", "Minutes", "Previous period calls", "Previous period minutes")
			for i, p := range g.Points {
				pc, pm := "", ""
				if i < len(g.Previous) {
					pc, pm = strconv.FormatInt(g.Previous[i].Calls, 10), minutes(g.Previous[i].Seconds)
				}
				_ = write(p.Title, p.Start.Format(time.RFC3339), strconv.FormatInt(p.Calls, 10), minutes(p.Seconds), pc, pm)
			}
		}
	case "type":
		var t TypeView
		if t, err = s.CallLogTypes(ctx, actor, q); err == nil {
			_ = write("Split", "Type", "Calls", "Calls %", "Minutes", "Minutes %")
			for _, sp := range t.Splits {
				for _, p := range sp.Parts {
					_ = write(sp.Name, p.Label, strconv.FormatInt(p.Calls, 10), fmt.Sprintf("%.1f", p.CallsPercent), minutes(p.Seconds), fmt.Sprintf("%.1f", p.MinutesPercent))
				}
			}
		}
	case "top":
		var t TopView
		if t, err = s.CallLogTop(ctx, actor, q, er.Category); err == nil {
			_ = write("Rank", t.Category.Label(), "Calls", "Minutes")
			for _, e := range t.Entries {
				_ = write(strconv.Itoa(e.Rank), e.Number, strconv.FormatInt(e.Calls, 10), minutes(e.Seconds))
			}
		}
	default:
		return derrors.Invalid("view", "%q is not a view: use list, graph, type or top", er.View)
	}
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("calls: export call logs: %w", err)
	}
	return bw.Flush()
}

func (s *Service) exportList(ctx context.Context, actor access.Actor, q Search, sortName string, cw *csv.Writer, write func(...string) error) error {
	ks, err := listKeyset(sortName)
	if err != nil {
		return err
	}
	sc, err := s.resolve(ctx, actor, &q)
	if err != nil {
		return err
	}
	where, args := sc.rawWhere(s.db)
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+listColumns+" FROM calls WHERE "+where+" ORDER BY "+ks.OrderBy(), args...)
	if err != nil {
		return fmt.Errorf("calls: export call logs: %w", err)
	}
	defer rows.Close()
	if err := write("Business Number", "Time", "Duration (s)", "Calling Number", "Destination", "Status", "Direction", "Traffic"); err != nil {
		return err
	}
	rec := make([]string, 8)
	for n := 0; rows.Next(); n++ {
		e, err := scanEntry(rows.Scan, sc.loc)
		if err != nil {
			return err
		}
		rec[0], rec[1], rec[2], rec[3], rec[4] = e.BusinessNumber, e.Start.Format(time.RFC3339), strconv.Itoa(e.Duration), e.Calling, e.Destination
		rec[5], rec[6], rec[7] = e.Status, e.Direction, e.Traffic
		if err := write(rec...); err != nil {
			return fmt.Errorf("calls: export call logs: %w", err)
		}
		if n%4096 == 4095 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return fmt.Errorf("calls: export call logs: %w", err)
			}
		}
	}
	return rows.Err()
}

func minutes(seconds int64) string { return strconv.FormatFloat(float64(seconds)/60, 'f', 1, 64) }

// csvSafe keeps a spreadsheet from running a value as a formula: a value
// starting with = + - or @ gets a leading apostrophe (which spreadsheets
// read as "text" and do not show), except a dialable number such as
// +441134960000, which can name no function and must stay dialable — the
// rule of the contacts export (docs/contacts.md).
func csvSafe(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) || dialable(v) {
		return v
	}
	return "'" + v
}

func dialable(v string) bool {
	if v[0] != '+' || len(v) < 2 {
		return false
	}
	for _, c := range v[1:] {
		if !strings.ContainsRune("0123456789*#", c) {
			return false
		}
	}
	return true
}
