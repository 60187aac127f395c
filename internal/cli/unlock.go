package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// unlockAccount is `switchboard unlock-account USERNAME`: it lifts every
// lock of any account, a provider operator's included. It is the way back
// in when every operator is locked out, since only operators unlock
// operators over the API. The audit entry names the command line.
func unlockAccount(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("unlock-account", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: switchboard unlock-account [flags] USERNAME")
		fs.PrintDefaults()
	}
	var c common
	c.register(fs, "data")
	// The username follows the flags, so parse stops there; the flags'
	// environment twins are applied to what remains unset.
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give exactly one USERNAME to unlock")
	}
	username := fs.Arg(0)
	if err := parse(fs, nil); err != nil {
		return err
	}
	a, closeApp, err := c.openApp(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeApp()
	acct, err := a.Identity.ForceUnlockFromCommandLine(ctx, username)
	if errors.Is(err, derrors.ErrConflict) {
		fmt.Fprintf(stdout, "%s is not locked; nothing to do\n", acct.Username)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "unlocked %s (%s, id %d)\n", acct.Username, acct.Role.Label(), acct.ID)
	return nil
}
