// Package apifuzz holds the API's bad-input test: every documented
// operation and every field of its body and query, sent values that must
// be refused (see docs/security.md, "Input limits"). It is a package of
// its own so that it runs in parallel with the API's other tests.
package apifuzz
