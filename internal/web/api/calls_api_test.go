package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// basicAuth is the Authorization header of a switch.
func basicAuth(name, token string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+token))
}

// addSwitch creates a switch through the service and returns its token.
func addSwitch(t *testing.T, env *apptest.Env, name string, format calls.Format) string {
	t.Helper()
	_, token, err := env.App.Calls.CreateSwitch(context.Background(), env.Actor("operator"),
		calls.SwitchCreateRequest{Name: name, Format: string(format), TimeZone: "Europe/London"})
	if err != nil {
		t.Fatalf("add switch %s: %v", name, err)
	}
	return token
}

const asteriskBatch = `"","1001","07911123456","from-internal","""Wendy West"" <1001>","PJSIP/1001-00000001","PJSIP/trunk-00000002","Dial","PJSIP/07911123456@trunk,60,tT","2026-06-15 09:00:00","2026-06-15 09:00:07","2026-06-15 09:03:07","187","180","ANSWERED","DOCUMENTATION","1781510400.1",""
"","1001","07911123456","from-internal","x","PJSIP/1001-00000003","","Dial","","2026-06-15 09:10:00",,"2026-06-15 09:10:04","4","0","HUNG UP","DOCUMENTATION","1781511000.2",""
`

func callsContractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	switchAuth := map[string]string{"Content-Type": "text/csv"}
	jsonAuth := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	imageAuth := map[string]string{"Content-Type": "image/gif"}
	doc := `{"variables":{"uuid":"5ac37fd1-68a1-11f1-9c55-0242ac120002","caller_id_number":"1001","destination_number":"%2B33142685300",` +
		`"start_epoch":"1781514000","answer_epoch":"1781514002","end_epoch":"1781514062","duration":"62","billsec":"60"}}`
	return []apiCall{
		{name: "switch create", user: "operator", method: "POST", path: "/api/v1/switches",
			body: map[string]any{"name": "fs1", "format": "freeswitch-csv", "time_zone": "Europe/London"}, want: 201},
		{name: "switch create duplicate", user: "operator", method: "POST", path: "/api/v1/switches",
			body: map[string]any{"name": "FS1", "format": "asterisk-csv"}, want: 409},
		{name: "switch create invalid", user: "operator", method: "POST", path: "/api/v1/switches",
			body: map[string]any{"name": "bad name!", "format": "asterisk-csv", "time_zone": "Mars/Olympus"}, want: 422},
		{name: "switch create unknown field", user: "operator", method: "POST", path: "/api/v1/switches",
			body: map[string]any{"name": "fs2", "format": "asterisk-csv", "colour": "red"}, want: 400, badRequest: true},
		{name: "switch create text", user: "operator", method: "POST", path: "/api/v1/switches", body: "name=fs2",
			header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "switch create company admin", user: "acme.admin", method: "POST", path: "/api/v1/switches",
			body: map[string]any{"name": "fs2", "format": "asterisk-csv"}, want: 403},
		{name: "switch create anonymous", method: "POST", path: "/api/v1/switches",
			body: map[string]any{"name": "fs2", "format": "asterisk-csv"}, want: 401},
		{name: "switch list", user: "operator", method: "GET", path: "/api/v1/switches", want: 200},
		{name: "switch list employee", user: "west.one", method: "GET", path: "/api/v1/switches", want: 403},
		{name: "switch list anonymous", method: "GET", path: "/api/v1/switches", want: 401},

		{name: "ingest", method: "POST", path: "/api/v1/calls/ingest", body: asteriskBatch, header: switchAuth, want: 200,
			setup: func(t *testing.T) {
				switchAuth["Authorization"] = basicAuth("ast1", addSwitch(t, env, "ast1", calls.FormatAsteriskCSV))
				// The switch's id fills the placeholder of the batches calls
				// (resolve itself knows groups, employees and accounts only).
				sws, err := env.App.Calls.Switches(context.Background(), env.Actor("operator"))
				if err != nil {
					t.Fatal(err)
				}
				for _, sw := range sws {
					if sw.Name == "ast1" {
						c.ids["@a(switch:ast1)"] = sw.ID
					}
				}
				jsonAuth["Authorization"] = switchAuth["Authorization"]
				imageAuth["Authorization"] = switchAuth["Authorization"]
			}},
		{name: "ingest again", method: "POST", path: "/api/v1/calls/ingest", body: asteriskBatch, header: switchAuth, want: 200},
		{name: "ingest mod_json_cdr form", method: "POST", path: "/api/v1/calls/ingest?format=freeswitch-json",
			body: "cdr=" + url.QueryEscape(doc), header: jsonAuth, want: 200},
		{name: "ingest unknown format", method: "POST", path: "/api/v1/calls/ingest?format=cisco", body: asteriskBatch,
			header: switchAuth, want: 422, badRequest: true},
		{name: "ingest empty form", method: "POST", path: "/api/v1/calls/ingest?format=freeswitch-json", body: "cdr=",
			header: jsonAuth, want: 422},
		{name: "ingest image", method: "POST", path: "/api/v1/calls/ingest", body: "GIF89a",
			header: imageAuth, want: 415, badRequest: true},
		{name: "ingest wrong token", method: "POST", path: "/api/v1/calls/ingest", body: asteriskBatch,
			header: map[string]string{"Content-Type": "text/csv", "Authorization": basicAuth("ast1", "sbsw_wrong")}, want: 401},
		{name: "ingest anonymous", method: "POST", path: "/api/v1/calls/ingest", body: asteriskBatch,
			header: map[string]string{"Content-Type": "text/csv"}, want: 401},
		{name: "batches", user: "operator", method: "GET", path: "/api/v1/switches/@a(switch:ast1)/batches?per_page=2", want: 200},
		{name: "batches missing", user: "operator", method: "GET", path: "/api/v1/switches/999999/batches", want: 404},
		{name: "batches per_page", user: "operator", method: "GET", path: "/api/v1/switches/@a(switch:ast1)/batches?per_page=501", want: 400, badRequest: true},
		{name: "batches company admin", user: "acme.admin", method: "GET", path: "/api/v1/switches/@a(switch:ast1)/batches", want: 403},
		{name: "batches anonymous", method: "GET", path: "/api/v1/switches/1/batches", want: 401},
	}
}

// TestIngestAPI checks an ingest over HTTP end to end on both engines: the
// report, idempotent resends, the switch's credentials, and that only
// provider operators manage switches.
func TestIngestAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		token := addSwitch(t, env, "ast1", calls.FormatAsteriskCSV)
		post := func(auth, body string) (int, calls.Report) {
			req, err := http.NewRequest("POST", env.Server.URL+"/api/v1/calls/ingest", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", auth)
			req.Header.Set("Content-Type", "text/csv")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var rep calls.Report
			if res.StatusCode == 200 {
				if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
					t.Fatal(err)
				}
			}
			return res.StatusCode, rep
		}
		status, rep := post(basicAuth("ast1", token), asteriskBatch)
		if status != 200 || rep.Accepted != 1 || rep.Malformed != 1 || rep.Duplicates != 0 || len(rep.Problems) != 1 || rep.Problems[0].Line != 2 {
			t.Fatalf("first ingest = %d %+v", status, rep)
		}
		status, rep = post(basicAuth("ast1", token), asteriskBatch)
		if status != 200 || rep.Accepted != 0 || rep.Duplicates != 1 || rep.Malformed != 1 {
			t.Fatalf("resend = %d %+v", status, rep)
		}
		var n int
		if err := db.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM calls").Scan(&n); err != nil || n != 1 {
			t.Fatalf("calls stored = %d, %v; want 1", n, err)
		}
		if status, _ := post(basicAuth("AST1", "sbsw_"+strings.Repeat("x", 43)), asteriskBatch); status != 401 {
			t.Errorf("wrong token: %d, want 401", status)
		}
		if status, _ := post(basicAuth("other", token), asteriskBatch); status != 401 {
			t.Errorf("token of another switch's name: %d, want 401", status)
		}
		// The ingest status: both batches, newest first; another provider's
		// operator cannot tell the switch exists.
		sws, err := env.App.Calls.Switches(context.Background(), env.Actor("operator"))
		if err != nil || len(sws) != 1 {
			t.Fatalf("switches %+v %v", sws, err)
		}
		bs, total, err := env.App.Calls.Batches(context.Background(), env.Actor("operator"), sws[0].ID, store.Page{})
		if err != nil || total != 2 || len(bs) != 2 {
			t.Fatalf("batches %+v total %d: %v (want the two uploads that reached ingest)", bs, total, err)
		}
		if b := bs[0]; b.Accepted != 0 || b.Duplicates != 1 || b.Malformed != 1 || len(b.Problems) != 1 || b.Problems[0].Line != 2 || b.Source != "http" {
			t.Errorf("newest batch (the resend) %+v", b)
		}
		if b := bs[1]; b.Accepted != 1 || b.Duplicates != 0 {
			t.Errorf("first batch %+v", b)
		}
		if _, _, err := env.App.Calls.Batches(context.Background(), env.Actor("other.operator"), sws[0].ID, store.Page{}); !derrors.IsNotFound(err) {
			t.Errorf("another provider's operator reads the batches: %v", err)
		}
		// Only the provider's operators add switches; a refusal changes nothing.
		for _, user := range []string{"acme.admin", "acme.reseller", "globex.admin", "west.one"} {
			before := storetest.Counts(t, db)
			_, _, err := env.App.Calls.CreateSwitch(context.Background(), env.Actor(user), calls.SwitchCreateRequest{Name: "x-" + strings.ReplaceAll(user, ".", "-"), Format: "asterisk-csv"})
			if err == nil {
				t.Errorf("%s added a switch", user)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
	})
}
