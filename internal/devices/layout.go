package devices

// KeyLayout is a device's keys as its phone gets them: what the Visual
// Device Manager stores, resolved against the type's capabilities, the
// device's lines and the employee's Busy Lamp Field list
// (docs/devices.md, "The Visual Device Manager"). The devices package
// computes it; the provisioning server only writes it in the vendor's keys
// (docs/provisioning.md, "Keys").
type KeyLayout struct {
	// PhoneKeys are the phone's own line keys, page 1 key 1 first, for every
	// page the type has (line keys per page × pages).
	PhoneKeys []Key `json:"phone_keys"`
	// SidecarModel is the type's expansion module; SidecarKeys holds one
	// slice of keys per attached module (none attached: empty).
	SidecarModel string  `json:"sidecar_model"`
	SidecarKeys  [][]Key `json:"sidecar_keys"`
	// DetachedSidecars is how many modules after the attached ones the
	// device had before: a phone keeps a module's keys until it is told
	// otherwise, so their keys are written at their defaults.
	// SidecarKeyCount is the keys of one module of SidecarModel.
	DetachedSidecars int `json:"detached_sidecars"`
	SidecarKeyCount  int `json:"sidecar_key_count"`
	// SoftKeys are the programmable soft keys, first first.
	SoftKeys []Key `json:"soft_keys"`
	// Ringer is one of the type's ring tones; "" leaves the phone's own.
	Ringer string `json:"ringer"`
}

// KeyAction is what a key does.
type KeyAction string

// The key actions. A line key is Default, None, Line, Speed Dial or BLF; a
// soft key Default, None, Function, Custom or Speed Dial.
const (
	// KeyDefault leaves the key to the phone's own behaviour.
	KeyDefault KeyAction = "default"
	// KeyNone makes the key do nothing (Polycom only for line keys).
	KeyNone KeyAction = "none"
	// KeyLine shows a line of the device: LineID.
	KeyLine KeyAction = "line"
	// KeySpeedDial dials Value (a number as the shared number rules accept
	// it) and shows Label.
	KeySpeedDial KeyAction = "speed_dial"
	// KeyBLF monitors a colleague: Value is the SIP user part of their
	// primary line, Label their name.
	KeyBLF KeyAction = "blf"
	// KeyFunction is one of the platform's functions: Value is its feature
	// code (e.g. *11, call pull), Label its name.
	KeyFunction KeyAction = "function"
	// KeyCustom is a vendor macro: Value is the macro string as the vendor
	// writes it, Label its label.
	KeyCustom KeyAction = "custom"
)

// Key is one key of a KeyLayout.
type Key struct {
	Action KeyAction `json:"action"`
	Label  string    `json:"label,omitempty"`
	// LineID is the device line a Line key shows (0 otherwise).
	LineID int64  `json:"line_id,omitempty"`
	Value  string `json:"value,omitempty"`
}
