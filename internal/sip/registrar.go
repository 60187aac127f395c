package sip

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Registrar answers REGISTER (RFC 3261 section 10) for the lines'
// addresses of record, with digest authentication, and keeps the bindings
// in the Registry. Path (RFC 3327) is stored with each binding and echoed,
// so an edge proxy (Kamailio) can sit in front of several nodes.
type Registrar struct {
	cfg      Config
	auth     *Authenticator
	registry *Registry
	log      *slog.Logger
}

func (r *Registrar) handle(req *sip.Request, tx sip.ServerTransaction) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := r.register(ctx, req)
	if err := tx.Respond(res); err != nil {
		r.log.Debug("SIP: send REGISTER response", "err", err, "source", req.Source())
	}
}

func respond(req *sip.Request, rp *reply) *sip.Response {
	res := sip.NewResponseFromRequest(req, rp.code, rp.reason, nil)
	for _, h := range rp.headers {
		res.AppendHeader(h)
	}
	return res
}

func (r *Registrar) register(ctx context.Context, req *sip.Request) *sip.Response {
	to := req.To()
	if to == nil || req.CallID() == nil || req.CSeq() == nil {
		return respond(req, &reply{code: 400, reason: "Bad Request (To, Call-ID and CSeq are required)"})
	}
	line, rp := r.auth.authenticate(ctx, req)
	if rp != nil {
		return respond(req, rp)
	}
	// A line registers its own address of record only.
	if to.Address.User != line.Username {
		return respond(req, &reply{code: 403, reason: "Forbidden (the To user is not the authenticated line)"})
	}
	change := Change{
		LineID: line.LineID, DeviceID: line.DeviceID,
		AOR:       "sip:" + line.Username + "@" + line.Realm,
		Transport: strings.ToUpper(req.Transport()),
		NodeID:    r.cfg.NodeID,
		CallID:    req.CallID().Value(),
		CSeq:      req.CSeq().SeqNo,
	}
	if h := req.GetHeader("User-Agent"); h != nil {
		change.UserAgent = truncate(h.Value(), 200)
	}
	host, port, _ := net.SplitHostPort(req.Source())
	change.SourceAddr = host
	change.SourcePort, _ = strconv.Atoi(port)
	var paths []string
	for _, h := range req.GetHeaders("Path") {
		paths = append(paths, h.Value())
	}
	change.Path = strings.Join(paths, ", ")

	defaultExpires := int(r.cfg.DefaultExpires.Seconds())
	if h := req.GetHeader("Expires"); h != nil {
		v, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		if err != nil || v < 0 {
			return respond(req, &reply{code: 400, reason: "Bad Request (Expires is not a number of seconds)"})
		}
		defaultExpires = v
	}
	minSecs, maxSecs := int(r.cfg.MinExpires.Seconds()), int(r.cfg.MaxExpires.Seconds())
	for _, h := range req.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			return respond(req, &reply{code: 400, reason: "Bad Request (unreadable Contact)"})
		}
		if c.Address.Wildcard {
			// "*" removes every binding, only with Expires: 0 and alone
			// (RFC 3261 section 10.3, step 6).
			if defaultExpires != 0 || len(req.GetHeaders("Contact")) != 1 {
				return respond(req, &reply{code: 400, reason: "Bad Request (Contact: * needs Expires: 0 and no other contact)"})
			}
			change.RemoveAll = true
			continue
		}
		expires := defaultExpires
		if v, ok := c.Params.Get("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return respond(req, &reply{code: 400, reason: "Bad Request (a contact's expires is not a number of seconds)"})
			}
			expires = n
		}
		if expires > 0 && expires < minSecs {
			return respond(req, &reply{code: 423, reason: "Interval Too Brief",
				headers: []sip.Header{sip.NewHeader("Min-Expires", strconv.Itoa(minSecs))}})
		}
		expires = min(expires, maxSecs)
		change.Contacts = append(change.Contacts, ContactExpiry{URI: c.Address.String(), Expires: expires})
	}
	now := time.Now()
	var bindings []Binding
	var err error
	if change.RemoveAll || len(change.Contacts) > 0 {
		bindings, err = r.registry.Apply(ctx, change, r.cfg.MaxContacts, now)
	} else {
		// No Contact: a query for the current bindings.
		bindings, err = r.registry.LineBindings(ctx, line.LineID)
	}
	var tooMany ErrTooManyContacts
	if errors.As(err, &tooMany) {
		return respond(req, &reply{code: 403, reason: "Forbidden (too many registered contacts for this line)"})
	}
	if err != nil {
		r.log.Error("SIP: register", "line", line.LineID, "err", err)
		return respond(req, &reply{code: 500, reason: "Server Internal Error"})
	}
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	for _, b := range bindings {
		left := int(time.Until(b.ExpiresAt).Round(time.Second).Seconds())
		res.AppendHeader(sip.NewHeader("Contact", "<"+b.Contact+">;expires="+strconv.Itoa(max(left, 1))))
	}
	for _, p := range paths {
		res.AppendHeader(sip.NewHeader("Path", p))
	}
	res.AppendHeader(sip.NewHeader("Date", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")))
	return res
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
