package features

import "fmt"

// DoNotDisturb is the employee's Do Not Disturb: calls go to voicemail (or
// get busy without it) while it is on.
type DoNotDisturb struct {
	Enabled bool `json:"enabled"`
	// RingSplash plays a short ring on the phone for each call turned away,
	// so the employee knows one came.
	RingSplash bool `json:"ring_splash"`
}

func (*DoNotDisturb) validate(*checker) {}

// Call recording modes.
const (
	RecordNever    = "never"
	RecordAlways   = "always"
	RecordOnDemand = "on_demand"
)

// CallRecording is the employee's Call Recording.
type CallRecording struct {
	Mode string `json:"mode"`
	// Announce tells both parties the call is recorded (the law of many
	// countries asks for it; switching it off is the customer's call).
	Announce bool `json:"announce"`
}

func (f *CallRecording) validate(c *checker) {
	switch f.Mode {
	case RecordNever, RecordAlways, RecordOnDemand:
	default:
		c.v.Add("mode", "the mode is never, always or on_demand")
	}
}

// MusicOnHold is a site's Music on Hold.
type MusicOnHold struct {
	Enabled bool `json:"enabled"`
	// Audio is the site's own music or message; nil plays the system's.
	Audio *AudioRef `json:"audio"`
}

func (f *MusicOnHold) validate(c *checker) { c.audio("audio", f.Audio) }

// Message is one announcement of a call centre queue: on or off, and its
// audio (nil: the system's).
type Message struct {
	Enabled bool      `json:"enabled"`
	Audio   *AudioRef `json:"audio"`
}

// ComfortMessage repeats every Seconds while the caller waits.
type ComfortMessage struct {
	Enabled bool      `json:"enabled"`
	Seconds int       `json:"seconds"`
	Audio   *AudioRef `json:"audio"`
}

// Overflow actions.
const (
	OverflowBusy     = "busy"     // the caller hears busy
	OverflowTransfer = "transfer" // to Destination
	OverflowRinging  = "ringing"  // keeps ringing until the caller hangs up
)

// Overflow is what happens when the queue is full or a caller has waited
// Seconds.
type Overflow struct {
	Action      string  `json:"action"`
	Seconds     int     `json:"seconds"`
	Destination string  `json:"destination"`
	Message     Message `json:"message"`
}

// Agent is one agent of a queue, in the order the policy uses.
type Agent struct {
	EmployeeID int64 `json:"employee_id"`
	Weight     int   `json:"weight"`
}

// CallCentreQueue is one call centre queue of a site.
type CallCentreQueue struct {
	CallGroupIdentity
	Policy      string         `json:"policy"`
	Agents      []Agent        `json:"agents"`
	QueueLength int            `json:"queue_length"`
	Entrance    Message        `json:"entrance"`
	Comfort     ComfortMessage `json:"comfort"`
	// OnHold is what a queued caller hears between messages; nil plays the
	// site's music on hold.
	OnHold   *AudioRef `json:"on_hold"`
	Overflow Overflow  `json:"overflow"`
}

// CallCentre is a site's call centre queues.
type CallCentre struct {
	Queues []CallCentreQueue `json:"queues"`
}

const maxQueueLength, maxAgents = 525, 200

func (f *CallCentre) validate(c *checker) {
	if f.Queues == nil {
		f.Queues = []CallCentreQueue{}
	}
	if len(f.Queues) > maxCallGroups {
		c.v.Add("queues", "a site has at most %d call centre queues", maxCallGroups)
		return
	}
	var ids []CallGroupIdentity
	for i := range f.Queues {
		q := &f.Queues[i]
		p := fmt.Sprintf("queues[%d]", i)
		c.identity(p, &q.CallGroupIdentity)
		ids = append(ids, q.CallGroupIdentity)
		c.policy(p, &q.Policy, PolicyUniform)
		if q.Agents == nil {
			q.Agents = []Agent{}
		}
		c.weightedPeople(p+".agents", "a queue", "agent", maxAgents, len(q.Agents), func(j int) (int64, *int) {
			return q.Agents[j].EmployeeID, &q.Agents[j].Weight
		})
		if q.QueueLength == 0 {
			q.QueueLength = 10
		}
		c.intRange(p+".queue_length", q.QueueLength, 1, maxQueueLength, "callers")
		c.audio(p+".entrance.audio", q.Entrance.Audio)
		if q.Comfort.Seconds == 0 {
			q.Comfort.Seconds = 30
		}
		c.intRange(p+".comfort.seconds", q.Comfort.Seconds, 10, 600, "seconds")
		c.audio(p+".comfort.audio", q.Comfort.Audio)
		c.audio(p+".on_hold", q.OnHold)
		o := &q.Overflow
		switch o.Action {
		case OverflowBusy, OverflowTransfer, OverflowRinging:
		case "":
			o.Action = OverflowBusy
		default:
			c.v.Add(p+".overflow.action", "the overflow action is busy, transfer or ringing")
		}
		if o.Seconds == 0 {
			o.Seconds = 300
		}
		c.intRange(p+".overflow.seconds", o.Seconds, 10, 7200, "seconds")
		o.Destination = c.destination(p+".overflow.destination", o.Destination)
		if o.Action == OverflowTransfer && o.Destination == "" {
			c.v.Add(p+".overflow.destination", "enter where overflowing calls are transferred")
		}
		c.audio(p+".overflow.message.audio", o.Message.Audio)
	}
	c.distinct("queues", ids)
}
