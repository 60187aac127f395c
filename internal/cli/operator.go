package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// createOperator creates a provider operator. On an empty database it also
// creates the provider, named by --provider-name. The password comes from
// --password, SWITCHBOARD_PASSWORD, or the first line of standard input, so
// it need not appear in the shell history.
func createOperator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("create-operator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs, "data")
	username := fs.String("username", "", "the operator's username (required)")
	password := fs.String("password", "", "the operator's password (default: read from standard input)")
	providerName := fs.String("provider-name", "My Voice Provider", "the provider's name, used when the database has none yet")
	region := fs.String("region", "GB", "the provider's default region for phone numbers (ISO 3166 code)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return errors.New("--username is required")
	}
	if *password == "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("give the password with --password, SWITCHBOARD_PASSWORD or on standard input")
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	a, closeApp, err := c.openApp(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeApp()
	p, err := a.Tenancy.FirstProvider(ctx)
	if derrors.IsNotFound(err) {
		p, err = a.Tenancy.CreateProvider(ctx, *providerName, *region)
	}
	if err != nil {
		return err
	}
	acct, err := a.Identity.CreateOperator(ctx, p.ID, *username, *password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created provider operator %q (id %d) for %s\n", acct.Username, acct.ID, p.Name)
	return nil
}
