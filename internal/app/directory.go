package app

import (
	"context"

	"github.com/switchboard-voice/switchboard/internal/provisioning"
)

// phoneDirectory is what an employee's phones list, as the features'
// settings say (docs/features.md, "Company Contacts and Group Contacts"),
// in the provisioning server's terms: each shared contact an entry under
// its one name with all its numbers.
func (a *App) phoneDirectory(ctx context.Context, accountID int64) (bool, []provisioning.Contact, error) {
	d, err := a.Features.PhoneDirectoryOf(ctx, accountID)
	if err != nil {
		return false, nil, err
	}
	var shared []provisioning.Contact
	for _, sd := range d.Shared {
		for _, ct := range sd.Contacts {
			c := provisioning.Contact{FirstName: ct.Name}
			for _, n := range ct.Numbers {
				c.Numbers = append(c.Numbers, n.Number)
			}
			shared = append(shared, c)
		}
	}
	return d.Personal, shared, nil
}
