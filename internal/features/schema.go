package features

import _ "embed"

// serviceDataSchema is the JSON Schema of ServiceData (draft 2020-12); a
// test validates generated service data against it, so the two agree.
//
//go:embed schema/service-data.schema.json
var serviceDataSchema []byte

// ServiceDataSchema returns the JSON Schema of the service data, served by
// the API beside it.
func ServiceDataSchema() []byte { return append([]byte(nil), serviceDataSchema...) }
