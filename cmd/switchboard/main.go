// Command switchboard runs the Switchboard hosted-voice administration platform.
package main

import (
	"os"

	"github.com/switchboard-voice/switchboard/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
