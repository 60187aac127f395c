package app

import "github.com/switchboard-voice/switchboard/internal/imports"

// ImportDeps are the services Import Employees and Import Group use. The
// imports service holds no state of its own, so the HTTP layer builds one
// from these per request, and New registers its job kinds once.
func (a *App) ImportDeps() imports.Deps {
	return imports.Deps{DB: a.DB, Access: a.Access, Directory: a.Directory, Identity: a.Identity, Tenancy: a.Tenancy, Jobs: a.Jobs, Logger: a.Logger}
}

// Imports returns the Import Employees / Import Group service.
func (a *App) Imports() *imports.Service { return imports.New(a.ImportDeps()) }
