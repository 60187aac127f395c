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
// answer does not tell which usernames exist. Requests are timed in pairs,
// one of each kind in a random order (so drift in the machine's load hits
// both alike), and the two distributions compared without any absolute
// limit:
//
//   - the probability that a known login's request is the slower of two
//     (the area under the ROC curve of a one-request classifier) must be
//     near one half, 0.3 to 0.7; doing the look-up and the e-mail before
//     answering gave 0.97 to 0.99 on both engines;
//   - within a pair, the median ratio of the two times must be within a
//     factor of 1.5, and the two medians within a factor of 2; doing that
//     work before answering made the known login's 7 to 40 times slower.
//     The upper tail is left out: on a busy machine it measures the
//     machine, not the work.
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
		var known, unknown, ratios []float64
		for i := 0; i < rounds; i++ {
			var k, u float64
			if rand.IntN(2) == 0 {
				k = time1(knownLogin)
				u = time1(unknownLogin)
			} else {
				u = time1(unknownLogin)
				k = time1(knownLogin)
			}
			known, unknown, ratios = append(known, k), append(unknown, u), append(ratios, k/u)
		}
		auc := slowerShare(known, unknown)
		median := func(xs []float64) float64 {
			xs = slices.Clone(xs)
			slices.Sort(xs)
			return xs[len(xs)/2]
		}
		pairRatio, mk, mu := median(ratios), median(known), median(unknown)
		t.Logf("median known %v, unknown %v; median ratio in a pair %.2f; P(known slower) = %.2f",
			time.Duration(mk), time.Duration(mu), pairRatio, auc)
		if auc < 0.3 || auc > 0.7 {
			t.Errorf("a known login's request is the slower one with probability %.2f: the time tells whether an account exists", auc)
		}
		if pairRatio < 1/1.5 || pairRatio > 1.5 {
			t.Errorf("a known login's request takes %.2f times as long as an unknown one's in the same pair: the time tells whether an account exists", pairRatio)
		}
		if r := mk / mu; r < 0.5 || r > 2 {
			t.Errorf("median known %v, unknown %v (ratio %.2f): the time tells whether an account exists", time.Duration(mk), time.Duration(mu), r)
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
