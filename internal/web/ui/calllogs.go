package ui

import (
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The Call Logs page (docs/cdr.md, "Call Logs"): the search bar and the
// Graph, List, Type and Top 10 views, with Export. It only translates the
// form into a calls.Search and renders what the use case answers; the
// graph is server-rendered SVG (no script, no network).

func (p *Pages) registerCallLogs(auth func(string, handlerFunc)) {
	auth("GET /call-logs", p.callLogs)
	auth("GET /call-logs/export", p.callLogsExport)
}

// callLogsQuery turns the page's form into the search's query values: the
// Object select names a kind and, for companies, sites and "me", an id
// ("site:12"); the term box is the username or the number.
func callLogsQuery(r *http.Request) url.Values {
	in := r.URL.Query()
	v := url.Values{}
	for _, k := range []string{"object", "id", "username", "number", "traffic", "direction", "status", "from", "to", "tz"} {
		if s := in.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	if target := in.Get("target"); target != "" {
		kind, id, _ := strings.Cut(target, ":")
		v.Set("object", kind)
		v.Del("id")
		if id != "" {
			v.Set("id", id)
		}
		term := strings.TrimSpace(in.Get("term"))
		switch calls.ObjectKind(kind) {
		case calls.ObjectUser:
			if id == "" {
				v.Set("username", term)
			}
		case calls.ObjectBusinessNumber, calls.ObjectCallingNumber:
			v.Set("number", term)
		}
	}
	// An operator arriving from a company's pages sees that company.
	if v.Get("object") == "" && in.Get("company_id") != "" {
		v.Set("object", "company")
		v.Set("id", in.Get("company_id"))
	}
	return v
}

type callLogsPage struct {
	Search   calls.Search
	Resolved calls.Resolved
	Objects  []calls.ObjectOption
	Target   string
	Term     string
	Traffics []calls.Traffic
	View     string
	Error    string
	// Links for the view buttons and export, keeping the search.
	ViewURL   map[string]string
	ExportURL string

	Graph *graphView
	List  *listView
	Types *typeView
	Top   *topView
}

// segLink is one button of a segmented control.
type segLink struct {
	Label, URL string
	Current    bool
}

type graphView struct {
	calls.Graph
	Intervals, Measures []segLink
	Caption             string
	CompareURL          string
	PrevURL, NextURL    string
	SVG                 svgGraph
}

type listView struct {
	calls.CallPage
	Rows                         []listRow
	SortTimeURL, SortDurationURL string
	NextURL, FirstURL            string
	Limits                       []segLink
}

type listRow struct {
	calls.CallEntry
	DurationText, StatusText string
}

type typeView struct {
	calls.TypeView
	Minutes string
	Splits  []typeSplit
}

type typeSplit struct {
	Name  string
	A, B  typePart
	Parts []typePart
}

type typePart struct {
	calls.Part
	Minutes string
}

type topView struct {
	calls.TopView
	Categories []segLink
	Rows       []topRow
}

type topRow struct {
	calls.TopEntry
	Minutes string
}

func minutesText(seconds int64) string { return strconv.FormatFloat(float64(seconds)/60, 'f', 1, 64) }

func durationText(s int) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func (p *Pages) callLogs(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	in := r.URL.Query()
	q, perr := calls.ParseSearch(callLogsQuery(r))
	view := in.Get("view")
	switch view {
	case "graph", "list", "type", "top":
	default:
		view = "graph"
	}
	objects, err := p.app.Calls.CallLogObjects(r.Context(), a)
	if err != nil {
		return err
	}
	pg := &callLogsPage{Search: q, Objects: objects, View: view, Traffics: calls.Traffics, Term: q.Username}
	if q.Number != "" {
		pg.Term = q.Number
	}
	base := q.Values()
	link := func(extra ...string) string { return callLogsURL(base, extra...) }
	pg.ViewURL = map[string]string{}
	for _, vw := range []string{"graph", "list", "type", "top"} {
		pg.ViewURL[vw] = link("view", vw)
	}
	exp := url.Values{}
	for k, vs := range base {
		exp[k] = vs
	}
	exportView := view
	if view == "type" {
		exportView = "type"
	}
	exp.Set("view", exportView)
	for _, k := range []string{"interval", "measure", "compare", "sort", "category"} {
		if s := in.Get(k); s != "" {
			exp.Set(k, s)
		}
	}
	pg.ExportURL = "/call-logs/export?" + exp.Encode()

	companyID := a.CompanyID
	if perr == nil {
		err = p.callLogView(r, pg, q, link)
	} else {
		err = perr
	}
	var verr *derrors.ValidationError
	switch {
	case errors.As(err, &verr):
		pg.Error = sentence(verr.Error())
	case err != nil:
		return err
	}
	pg.Target = targetOf(q, pg.Resolved)
	if pg.Resolved.Object == calls.ObjectCompany {
		companyID = pg.Resolved.ID
	}
	v, err := p.newView(r, companyID, "calllogs", "Call Logs")
	if err != nil {
		return err
	}
	v.Data = pg
	p.render(w, r, http.StatusOK, "call_logs", v)
	return nil
}

// targetOf is the Object select's value for a search.
func targetOf(q calls.Search, res calls.Resolved) string {
	kind, id := q.Object, q.ID
	if res.Object != "" {
		kind, id = res.Object, res.ID
	}
	switch kind {
	case calls.ObjectCompany, calls.ObjectSite:
		return fmt.Sprintf("%s:%d", kind, id)
	case calls.ObjectUser:
		if q.Username == "" && id != 0 {
			return fmt.Sprintf("user:%d", id)
		}
	}
	return string(kind)
}

func (p *Pages) callLogView(r *http.Request, pg *callLogsPage, q calls.Search, link func(...string) string) error {
	ctx, a, in := r.Context(), actorOf(r), r.URL.Query()
	switch pg.View {
	case "graph":
		gr := calls.GraphRequest{Interval: calls.Interval(in.Get("interval")), Measure: calls.Measure(in.Get("measure")), Compare: in.Get("compare") == "true"}
		g, err := p.app.Calls.CallLogGraph(ctx, a, q, gr)
		if err != nil {
			return err
		}
		pg.Resolved = g.Search
		gv := &graphView{Graph: g, Caption: "Calls by " + string(g.Interval)}
		if g.Measure == calls.MeasureMinutes {
			gv.Caption = "Minutes by " + string(g.Interval)
		}
		keep := func(extra ...string) string {
			base := []string{"view", "graph", "interval", string(g.Interval), "measure", string(g.Measure), "compare", strconv.FormatBool(gr.Compare)}
			return link(append(base, extra...)...)
		}
		for _, iv := range []struct {
			iv    calls.Interval
			label string
		}{{calls.IntervalHour, "Hour"}, {calls.IntervalDay, "Day"}, {calls.IntervalWeek, "Week"}, {calls.IntervalMonth, "Month"}} {
			gv.Intervals = append(gv.Intervals, segLink{iv.label, keep("interval", string(iv.iv)), g.Interval == iv.iv})
		}
		gv.Measures = []segLink{{"Calls", keep("measure", "calls"), g.Measure == calls.MeasureCalls},
			{"Minutes", keep("measure", "minutes"), g.Measure == calls.MeasureMinutes}}
		gv.CompareURL = keep("compare", strconv.FormatBool(!gr.Compare))
		from, _ := time.Parse(time.DateOnly, g.Search.From)
		to, _ := time.Parse(time.DateOnly, g.Search.To)
		pf, pt := calls.PreviousPeriod(from, to.AddDate(0, 0, 1))
		nf, nt := calls.NextPeriod(from, to.AddDate(0, 0, 1))
		gv.PrevURL = keep("from", pf.Format(time.DateOnly), "to", pt.AddDate(0, 0, -1).Format(time.DateOnly))
		gv.NextURL = keep("from", nf.Format(time.DateOnly), "to", nt.AddDate(0, 0, -1).Format(time.DateOnly))
		gv.SVG = buildGraph(g, func(pt calls.Point) string {
			day := pt.Start.Format(time.DateOnly)
			switch g.Interval {
			case calls.IntervalMonth:
				return keep("interval", "day", "from", day, "to", pt.Start.AddDate(0, 1, -1).Format(time.DateOnly))
			case calls.IntervalWeek:
				return keep("interval", "day", "from", day, "to", pt.Start.AddDate(0, 0, 6).Format(time.DateOnly))
			case calls.IntervalDay:
				return keep("interval", "hour", "from", day, "to", day)
			}
			return ""
		})
		pg.Graph = gv
	case "list":
		limit, _ := strconv.Atoi(in.Get("limit"))
		if limit != 25 && limit != 100 {
			limit = 50
		}
		sort := in.Get("sort")
		page, err := p.app.Calls.CallLogList(ctx, a, q, calls.ListRequest{Sort: sort, After: in.Get("after"), Limit: limit})
		if err != nil {
			return err
		}
		pg.Resolved = page.Search
		lv := &listView{CallPage: page}
		for _, c := range page.Calls {
			st := "Answered"
			if c.Status == "unanswered" {
				st = "Unanswered"
			}
			lv.Rows = append(lv.Rows, listRow{CallEntry: c, DurationText: durationText(c.Duration), StatusText: st})
		}
		keep := func(extra ...string) string {
			return link(append([]string{"view", "list", "sort", page.Sort, "limit", strconv.Itoa(limit)}, extra...)...)
		}
		toggle := func(key string) string {
			if page.Sort == "-"+key {
				return key
			}
			return "-" + key
		}
		lv.SortTimeURL = keep("sort", toggle("time"))
		lv.SortDurationURL = keep("sort", toggle("duration"))
		if page.Next != "" {
			lv.NextURL = keep("after", page.Next)
		}
		if in.Get("after") != "" {
			lv.FirstURL = keep()
		}
		for _, n := range []int{25, 50, 100} {
			lv.Limits = append(lv.Limits, segLink{strconv.Itoa(n), keep("limit", strconv.Itoa(n)), n == limit})
		}
		pg.List = lv
	case "type":
		t, err := p.app.Calls.CallLogTypes(ctx, a, q)
		if err != nil {
			return err
		}
		pg.Resolved = t.Search
		tv := &typeView{TypeView: t, Minutes: minutesText(t.Seconds)}
		for _, sp := range t.Splits {
			ts := typeSplit{Name: sp.Name}
			for _, part := range sp.Parts {
				ts.Parts = append(ts.Parts, typePart{part, minutesText(part.Seconds)})
			}
			ts.A, ts.B = ts.Parts[0], ts.Parts[1]
			tv.Splits = append(tv.Splits, ts)
		}
		pg.Types = tv
	case "top":
		t, err := p.app.Calls.CallLogTop(ctx, a, q, calls.TopCategory(in.Get("category")))
		if err != nil {
			return err
		}
		pg.Resolved = t.Search
		tv := &topView{TopView: t}
		for _, c := range calls.TopCategories {
			tv.Categories = append(tv.Categories, segLink{c.Label(), link("view", "top", "category", string(c)), c == t.Category})
		}
		for _, e := range t.Entries {
			tv.Rows = append(tv.Rows, topRow{e, minutesText(e.Seconds)})
		}
		pg.Top = tv
	}
	return nil
}

// callLogsExport streams the current view as CSV.
func (p *Pages) callLogsExport(w http.ResponseWriter, r *http.Request) error {
	q, err := calls.ParseSearch(callLogsQuery(r))
	if err != nil {
		return err
	}
	in := r.URL.Query()
	view := in.Get("view")
	if view == "" {
		view = "list"
	}
	dw := &downloadWriter{w: w, name: "call-logs-" + view + "-" + time.Now().UTC().Format("20060102-1504") + ".csv"}
	return p.app.Calls.ExportCallLogs(r.Context(), actorOf(r), q, calls.ExportRequest{View: view, Sort: in.Get("sort"),
		Graph:    calls.GraphRequest{Interval: calls.Interval(in.Get("interval")), Measure: calls.Measure(in.Get("measure")), Compare: in.Get("compare") == "true"},
		Category: calls.TopCategory(in.Get("category"))}, dw)
}

// downloadWriter sends the download headers with the first byte, so an
// export refused before writing is still an error page.
type downloadWriter struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (d *downloadWriter) Write(b []byte) (int, error) {
	if !d.started {
		d.started = true
		d.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		d.w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name}))
		d.w.WriteHeader(http.StatusOK)
	}
	return d.w.Write(b)
}

// svgGraph is the graph drawn in a fixed coordinate system (the viewBox);
// the browser scales it to the width available.
type svgGraph struct {
	Width, Height    int
	Left, Top        int
	Right, Bottom    int
	Line, Previous   string
	Dots             []svgDot
	PrevDots         []svgDot
	XLabels, YLabels []svgLabel
	Empty            bool
}

type svgDot struct {
	X, Y  float64
	Title string
	URL   string
}

type svgLabel struct {
	X, Y float64
	Text string
}

func buildGraph(g calls.Graph, zoom func(calls.Point) string) svgGraph {
	s := svgGraph{Width: 800, Height: 280, Left: 52, Top: 16, Right: 784, Bottom: 244}
	n := len(g.Points)
	maxV := 0.0
	for _, pts := range [][]calls.Point{g.Points, g.Previous} {
		for _, p := range pts {
			maxV = math.Max(maxV, p.Value)
		}
	}
	s.Empty = maxV == 0
	top := 4 * niceCeil(maxV/4)
	if g.Measure == calls.MeasureCalls {
		top = 4 * math.Max(1, math.Ceil(niceCeil(maxV/4)))
	}
	x := func(i int) float64 {
		if n <= 1 {
			return float64(s.Left+s.Right) / 2
		}
		return float64(s.Left) + float64(i)*float64(s.Right-s.Left)/float64(n-1)
	}
	y := func(v float64) float64 { return float64(s.Bottom) - v/top*float64(s.Bottom-s.Top) }
	unit := "calls"
	if g.Measure == calls.MeasureMinutes {
		unit = "minutes"
	}
	value := func(v float64) string {
		if g.Measure == calls.MeasureMinutes {
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	var line, prev strings.Builder
	for i, p := range g.Points {
		fmt.Fprintf(&line, "%.1f,%.1f ", x(i), y(p.Value))
		s.Dots = append(s.Dots, svgDot{X: x(i), Y: y(p.Value), Title: p.Title + ": " + value(p.Value) + " " + unit, URL: zoom(p)})
	}
	for i, p := range g.Previous {
		if i >= n {
			break
		}
		fmt.Fprintf(&prev, "%.1f,%.1f ", x(i), y(p.Value))
		s.PrevDots = append(s.PrevDots, svgDot{X: x(i), Y: y(p.Value), Title: "Previous period, " + p.Title + ": " + value(p.Value) + " " + unit})
	}
	s.Line, s.Previous = strings.TrimSpace(line.String()), strings.TrimSpace(prev.String())
	step := max(1, (n+11)/12)
	for i := 0; i < n; i += step {
		s.XLabels = append(s.XLabels, svgLabel{X: x(i), Y: float64(s.Bottom + 20), Text: g.Points[i].Label})
	}
	for k := 0; k <= 4; k++ {
		v := top * float64(k) / 4
		s.YLabels = append(s.YLabels, svgLabel{X: float64(s.Left - 8), Y: y(v), Text: value(v)})
	}
	return s
}

// niceCeil rounds a graph's maximum up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*pow {
			return m * pow
		}
	}
	return 10 * pow
}

// callLogsURL is the Call Logs page for the search base with the extra
// name and value pairs set (an empty value removes the name).
func callLogsURL(base url.Values, extra ...string) string {
	v := url.Values{}
	for k, vs := range base {
		v[k] = vs
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			v.Del(extra[i])
		} else {
			v.Set(extra[i], extra[i+1])
		}
	}
	return "/call-logs?" + v.Encode()
}
