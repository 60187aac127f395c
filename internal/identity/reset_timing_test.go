package identity_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestResetTimingRevealsNothing: asking for a reset of an existing account
// takes as long as asking for one of a login nobody has, so the time of the
// answer does not tell which usernames exist. Many requests of each kind are
// timed in a random interleaving (so drift in the machine's load hits both
// alike) and the two distributions compared without any absolute limit:
//
//   - the probability that a known login's request is the slower of a pair
//     (the area under the ROC curve of a one-request classifier) must be
//     near one half: 0.3 to 0.7, where doing the look-up and the e-mail
//     before answering gave 0.99 on both engines;
//   - the medians and the upper quartiles must be within a third of each
//     other, where doing that work before answering made the known login's
//     7 (SQLite) to 40 (PostgreSQL) times slower.
func TestResetTimingRevealsNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		const rounds = 200
		// Logins of equal length, so not even the bytes sent differ.
		const knownLogin, unknownLogin = "worker", "wonker"
		time1 := func(login string) float64 {
			start := time.Now()
			if err := w.a.Identity.RequestPasswordReset(ctx, login); err != nil {
				t.Fatal(err)
			}
			return float64(time.Since(start))
		}
		for i := 0; i < 20; i++ { // warm up caches and connection pools
			time1(knownLogin)
			time1(unknownLogin)
		}
		var known, unknown []float64
		for i := 0; i < rounds; i++ {
			if rand.IntN(2) == 0 {
				known = append(known, time1(knownLogin))
				unknown = append(unknown, time1(unknownLogin))
			} else {
				unknown = append(unknown, time1(unknownLogin))
				known = append(known, time1(knownLogin))
			}
		}
		auc := slowerShare(known, unknown)
		slices.Sort(known)
		slices.Sort(unknown)
		q := func(xs []float64, p float64) float64 { return xs[int(p*float64(len(xs)-1))] }
		t.Logf("known: median %v p75 %v; unknown: median %v p75 %v; P(known slower) = %.2f",
			time.Duration(q(known, .5)), time.Duration(q(known, .75)), time.Duration(q(unknown, .5)), time.Duration(q(unknown, .75)), auc)
		if auc < 0.3 || auc > 0.7 {
			t.Errorf("a known login's request is the slower one with probability %.2f: the time tells whether an account exists", auc)
		}
		for _, p := range []float64{.5, .75} {
			if r := q(known, p) / q(unknown, p); r < 0.75 || r > 4.0/3 {
				t.Errorf("quantile %.2f: known %v, unknown %v (ratio %.2f): the time tells whether an account exists",
					p, time.Duration(q(known, p)), time.Duration(q(unknown, p)), r)
			}
		}
		// The requests were recorded all the same: handling them sends the
		// one account that exists its link.
		if got := w.deliver(t, "worker@example.com"); len(got) == 0 {
			t.Error("no reset link reached the existing account")
		}
	})
}

// slowerShare is the probability that a random element of a exceeds a
// random element of b (ties count half): the Mann-Whitney U statistic over
// len(a)·len(b).
func slowerShare(a, b []float64) float64 {
	var wins float64
	for _, x := range a {
		for _, y := range b {
			switch {
			case x > y:
				wins++
			case x == y:
				wins += 0.5
			}
		}
	}
	return wins / float64(len(a)*len(b))
}

// TestResetRequestsRunInTheBackground: a node running RunResetRequests
// handles a request as soon as it is recorded, without waiting for its sweep.
func TestResetRequestsRunInTheBackground(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.a.Identity.RunResetRequests(ctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() { cancel(); <-done }()
	if err := w.a.Identity.RequestPasswordReset(context.Background(), "worker"); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		ms, _, err := w.a.Mail.Outbox(context.Background(), mail.OutboxFilter{To: "worker@example.com"}, store.Page{PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 1 && ms[0].Kind == "password_reset" {
			return
		}
		if i == 500 {
			t.Fatalf("the reset request was not handled by the background runner: %+v", ms)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestResetRequestsAreHandledOnce: nodes handling the recorded requests at
// the same moment send each link once; a request that cannot be a login is
// refused and recorded nowhere.
func TestResetRequestsAreHandledOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		before := storetest.Counts(t, db)
		for _, bad := range []string{"", "   ", strings.Repeat("x", 255), "wor\x00ker", "wor\tker"} {
			if err := w.a.Identity.RequestPasswordReset(ctx, bad); !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("RequestPasswordReset(%.20q) = %v, want invalid", bad, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		for i := 0; i < 5; i++ {
			if err := w.a.Identity.RequestPasswordReset(ctx, "worker"); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		handled := make([]int, 4)
		for i := range handled {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := w.a.Identity.ProcessResetRequests(ctx)
				if err != nil {
					t.Error(err)
				}
				handled[i] = n
			}()
		}
		wg.Wait()
		ms, _, err := w.a.Mail.Outbox(ctx, mail.OutboxFilter{To: "worker@example.com"}, store.Page{PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 5 || handled[0]+handled[1]+handled[2]+handled[3] != 5 {
			t.Errorf("%d reset mails for 5 requests (the rounds handled %v)", len(ms), handled)
		}
		if n := storetest.Counts(t, db)["password_reset_requests"]; n != 0 {
			t.Errorf("%d requests left behind", n)
		}
	})
}
