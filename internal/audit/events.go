package audit

import (
	"fmt"
	"strings"
)

// EventType is one kind of audit entry: the exact name Record stores, what
// it means in words, the group a filter list shows it under, and whether
// its entries belong to a company or to the provider alone.
type EventType struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Group string `json:"group"`
	// ProviderOnly entries carry no company (the catalog, the provider's
	// settings, its operators and resellers): only provider operators ever
	// read them, so nobody else is offered them.
	ProviderOnly bool `json:"-"`
}

// The groups of the filter list, in the order it shows them.
const (
	groupEmployees = "Employees"
	groupGroups    = "Sites and groups"
	groupService   = "Service and numbers"
	groupDevices   = "Devices"
	groupSecurity  = "Logins and passwords"
	groupContacts  = "Personal contacts"
	groupJobs      = "Jobs"
	groupCompany   = "Companies and customers"
	groupProvider  = "Provider and catalog"
)

// eventTypes is the one registry of audit events (docs/audit.md): Record
// refuses a name that is not here, and a test reads every package's source
// for the names it records, so the list the audit filters offer cannot
// drift from what is written.
var eventTypes = []EventType{
	{"Create Employee", "An employee was added", groupEmployees, false},
	{"Modify Employee", "An employee's profile or role changed", groupEmployees, false},
	{"Delete Employee", "An employee was deleted", groupEmployees, false},
	{"Add Group Member", "An employee joined a group", groupEmployees, false},
	{"Remove Group Member", "An employee left a group", groupEmployees, false},
	{"Assign Group Admin", "A group administrator was assigned a group", groupEmployees, false},
	{"Remove Group Admin", "A group administrator lost a group", groupEmployees, false},

	{"Create Site", "A site was created", groupGroups, false},
	{"Delete Site", "A site was deleted", groupGroups, false},
	{"Create Group", "A group was created", groupGroups, false},
	{"Modify Group", "A group's or site's profile changed", groupGroups, false},
	{"Move Group", "A group moved under another group", groupGroups, false},
	{"Delete Group", "A group was deleted", groupGroups, false},
	{"Set Site Employee Limit", "A site's employee limit changed", groupGroups, false},

	{"Generate Invoice", "An invoice was generated", groupCompany, false},
	{"Change Feature Assignment", "A feature was made available or unavailable", groupService, false},
	{"Change Feature Admin Privileges", "Whether group administrators may change a feature changed", groupService, false},
	{"Configure Feature", "A feature's settings changed", groupService, false},
	{"Copy Feature", "A feature's settings were copied from another", groupService, false},
	{"Submit Bulk Feature Job", "A bulk feature job was submitted", groupJobs, false},
	{"Delete Bulk Feature Job", "A bulk feature job's record was deleted", groupJobs, false},
	{"Upload Audio", "A recording was uploaded", groupService, false},
	{"Delete Audio", "A recording was deleted", groupService, false},
	{"Copy Audio", "A recording was copied into another library (Bulk Feature Management)", groupService, false},
	{"Request Activation", "Activation of an employee was requested", groupService, false},
	{"Activate Employee", "An employee's service was activated", groupService, false},
	{"Activation Failed", "An employee's activation failed", groupService, false},
	{"Modify Employee Service", "An employee's service settings changed", groupService, false},
	{"Request Resubscribe", "A resubscribe was requested", groupService, false},
	{"Resubscribe Employee", "An employee moved to another term or package", groupService, false},
	{"Cease Employee", "An employee's service was ceased", groupService, false},
	{"Set Employee Service Offering", "An employee's package or add-ons changed", groupService, false},
	{"Clear Employee Service Offering", "An employee's package and add-ons were removed", groupService, false},
	{"Set Site Service Offering", "A site's package or add-ons changed", groupService, false},
	{"Assign Number", "A number was assigned", groupService, false},
	{"Release Number", "A number was released", groupService, false},
	{"Reserve Extension", "An extension was reserved", groupService, false},
	{"Release Extension", "An extension was released", groupService, false},
	{"Set Extension Policy", "A site's extension policy changed", groupService, false},
	{"Add DN Range", "A number range was added to a site", groupService, false},
	{"Remove DN Range", "A number range was removed from a site", groupService, false},
	{"Assign Internal Number Block", "An internal number block was assigned", groupService, false},
	{"Remove Internal Number Block", "An internal number block was removed", groupService, false},

	{"Create Device", "A device was added", groupDevices, false},
	{"Modify Device", "A device changed", groupDevices, false},
	{"Delete Device", "A device was deleted", groupDevices, false},
	{"Assign Device", "A device was given to an employee", groupDevices, false},
	{"Unassign Device", "A device was taken from an employee", groupDevices, false},
	{"Issue Line Credentials", "SIP line credentials were issued", groupDevices, false},
	{"Add Shared Call Appearance", "An employee's line was added to another device as a shared call appearance", groupDevices, false},
	{"Modify Shared Call Appearance", "A shared call appearance's options were changed", groupDevices, false},
	{"Remove Shared Call Appearance", "A shared call appearance was taken off a device", groupDevices, false},
	{"Issue Provisioning Credentials", "Phone provisioning credentials were issued", groupDevices, false},
	{"Reboot Device", "A device was told to reboot", groupDevices, false},
	{"Reboot Devices", "Several devices were told to reboot", groupDevices, false},
	{"Clear Reboot Job", "A reboot job was cleared", groupDevices, false},
	{"Failed SIP Registration", "A phone failed to register", groupDevices, false},
	{"Customise Device Type", "A device type's options at a site changed", groupDevices, false},
	{"Reset Device Type", "A device type's options at a site were reset", groupDevices, false},
	{"Create Device Mask", "A mask of device options was created", groupDevices, false},
	{"Modify Device Mask", "A mask of device options changed", groupDevices, false},
	{"Delete Device Mask", "A mask of device options was deleted", groupDevices, false},
	{"Apply Device Mask", "A mask was applied to a device type", groupDevices, false},
	{"Remove Device Mask", "A mask was taken off a device type", groupDevices, false},
	{"Customise Device", "A device's own options changed", groupDevices, false},
	{"Reset Device", "A device's own options were reset", groupDevices, false},
	{"Modify Device General Settings", "A phone's sidecars or BLF start position changed (Visual Device Manager)", groupDevices, false},
	{"Modify Device Line Keys", "A phone's line keys changed (Visual Device Manager)", groupDevices, false},
	{"Modify Device Soft Keys", "A phone's soft keys changed (Visual Device Manager)", groupDevices, false},
	{"Modify Device Ringer", "A phone's ringer changed (Visual Device Manager)", groupDevices, false},
	{"Reset Device Keys", "A phone's line and soft keys went back to their defaults (Visual Device Manager)", groupDevices, false},

	{"Change Password", "Someone changed their own password", groupSecurity, false},
	{"Reset Password", "An administrator reset a password", groupSecurity, false},
	{"Set Password", "An administrator typed a new password for someone", groupSecurity, false},
	{"Reset Password (self-service)", "Someone set a new password from an e-mailed link", groupSecurity, false},
	{"Request Password Reset", "A password reset link was requested", groupSecurity, false},
	{"Modify Service Passwords", "An application password or PIN changed", groupSecurity, false},
	{"Request Security Email Change", "A security e-mail change was requested", groupSecurity, false},
	{"Change Security Email", "A security e-mail address changed", groupSecurity, false},
	{"Lock Account", "An account was locked after wrong passwords", groupSecurity, false},
	{"Force Unlock", "An account was unlocked", groupSecurity, false},

	{"Create Contact", "A personal contact was added", groupContacts, false},
	{"Modify Contact", "A personal contact changed", groupContacts, false},
	{"Delete Contact", "A personal contact was deleted", groupContacts, false},
	{"Create Contact Group", "A contact group was created", groupContacts, false},
	{"Modify Contact Group", "A contact group was renamed", groupContacts, false},
	{"Delete Contact Group", "A contact group was deleted", groupContacts, false},
	{"Add Contacts To Group", "Contacts were added to a contact group", groupContacts, false},
	{"Remove Contacts From Group", "Contacts were taken out of a contact group", groupContacts, false},
	{"Import Contacts", "Contacts were imported", groupContacts, false},

	{"Create Job", "A job (import, activation) was started", groupJobs, false},
	{"Complete Job", "A job finished", groupJobs, false},
	{"Job Error", "A job ended in error", groupJobs, false},
	{"Cancel Job", "A job was cancelled", groupJobs, false},

	{"Create Company", "A company was created", groupCompany, false},
	{"Modify Company", "A company's control-panel fields changed", groupCompany, false},
	{"Create Customer Contact", "A customer contact was added", groupCompany, false},
	{"Modify Customer Contact", "A customer contact changed", groupCompany, false},

	{"Create Provider", "A provider was created", groupProvider, true},
	{"Modify Security Settings", "The password and lockout settings changed", groupProvider, true},
	{"Create Operator", "A provider operator was created", groupProvider, true},
	{"Create Reseller", "A reseller was created", groupProvider, true},
	{"Create Reseller Admin", "A reseller administrator was created", groupProvider, true},
	{"Set Number Range Parameters", "The number range parameters changed", groupProvider, true},
	{"Add Refused Extension", "An extension code was refused", groupProvider, true},
	{"Remove Refused Extension", "A refused extension code was allowed again", groupProvider, true},
	{"Create Switch", "A switch sending call records was added", groupProvider, true},
	{"Block SIP Source", "A SIP source was blocked after failed logins", groupProvider, true},
	{"Create Feature", "A feature was added to the catalog", groupProvider, true},
	{"Modify Feature", "A catalog feature changed", groupProvider, true},
	{"Delete Feature", "A catalog feature was deleted", groupProvider, true},
	{"Create Feature Package", "A feature package was added to the catalog", groupProvider, true},
	{"Modify Feature Package", "A feature package changed", groupProvider, true},
	{"Delete Feature Package", "A feature package was deleted", groupProvider, true},
	{"Create Add-On", "An add-on was added to the catalog", groupProvider, true},
	{"Modify Add-On", "An add-on changed", groupProvider, true},
	{"Delete Add-On", "An add-on was deleted", groupProvider, true},
	{"Create Term", "A term was added to the catalog", groupProvider, true},
	{"Modify Term", "A term changed", groupProvider, true},
	{"Delete Term", "A term was deleted", groupProvider, true},
	{"Create Device Type", "A device type was added", groupProvider, true},
	{"Modify Device Type", "A device type's capabilities changed", groupProvider, true},
	{"Add Rate", "A call rate was added", groupProvider, true},
	{"End Rate", "A call rate was ended", groupProvider, true},
	{"Modify Billing Settings", "The tax rate or invoice numbering changed", groupProvider, true},
	{"Set Package Price", "A package's monthly price was set", groupProvider, true},
	{"Remove Package Price", "A package's monthly price was removed", groupProvider, true},
}

// byName finds a registered event by its exact name; byFold by its name in
// any case (what a person types).
var byName, byFold = func() (map[string]EventType, map[string]EventType) {
	exact, fold := map[string]EventType{}, map[string]EventType{}
	for _, e := range eventTypes {
		if _, dup := exact[e.Name]; dup {
			panic("audit: event " + e.Name + " is registered twice")
		}
		exact[e.Name] = e
		fold[strings.ToLower(e.Name)] = e
	}
	return exact, fold
}()

// Events is every registered event type, grouped, in the order a filter
// list shows them.
func Events() []EventType { return append([]EventType(nil), eventTypes...) }

// Known reports whether name is a registered event, exactly as recorded.
func Known(name string) bool {
	_, ok := byName[name]
	return ok
}

// LookupEvent finds the registered event a person means by name: case and
// the spaces around it do not matter.
func LookupEvent(name string) (EventType, bool) {
	e, ok := byFold[strings.ToLower(strings.TrimSpace(name))]
	return e, ok
}

// checkKnown refuses to record an event the registry does not hold: an
// unregistered name would be an entry nobody can filter for.
func checkKnown(events []Event) error {
	for _, e := range events {
		if !Known(e.Event) {
			return fmt.Errorf("audit: %q is not a registered event type: add it to audit's event list (docs/audit.md)", e.Event)
		}
	}
	return nil
}
