package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
)

// maxUpload bounds an import request: the file plus its form fields.
const maxUpload = imports.MaxFileSize + 64<<10

// importForm is a multipart/form-data import request read whole: the file
// and the text fields. Only the fields of fields are accepted.
type importForm struct {
	file   []byte
	values map[string]string
}

func readImportForm(r *http.Request, fields ...string) (importForm, error) {
	f := importForm{values: map[string]string{}}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return f, &malformedError{status: http.StatusUnsupportedMediaType, typ: ProblemUnsupportedType,
			detail: fmt.Sprintf("send the import as multipart/form-data with the file in the part \"file\", not %q", r.Header.Get("Content-Type"))}
	}
	if params["boundary"] == "" {
		return f, &malformedError{detail: "the multipart/form-data body has no boundary parameter"}
	}
	allowed := map[string]bool{"file": true}
	for _, n := range fields {
		allowed[n] = true
	}
	mr := multipart.NewReader(http.MaxBytesReader(nil, r.Body, maxUpload), params["boundary"])
	seenFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return f, &malformedError{status: http.StatusRequestEntityTooLarge, typ: ProblemMalformed,
					detail: fmt.Sprintf("the upload is larger than %d MiB; split the file", imports.MaxFileSize>>20)}
			}
			return f, &malformedError{detail: "the multipart/form-data body could not be read: " + err.Error()}
		}
		name := part.FormName()
		if !allowed[name] {
			return f, &malformedError{detail: fmt.Sprintf("unknown form field %q", name),
				fields: []derrors.FieldError{{Field: name, Message: "unknown field; check the spelling against the API document"}}}
		}
		limit := int64(4 << 10)
		if name == "file" {
			limit = imports.MaxFileSize + 1
		}
		b, err := io.ReadAll(io.LimitReader(part, limit))
		if err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return f, &malformedError{status: http.StatusRequestEntityTooLarge, typ: ProblemMalformed,
					detail: fmt.Sprintf("the upload is larger than %d MiB; split the file", imports.MaxFileSize>>20)}
			}
			return f, &malformedError{detail: "the multipart/form-data body could not be read: " + err.Error()}
		}
		if int64(len(b)) >= limit {
			if name == "file" {
				return f, derrors.Invalid("file", "the file is larger than %d MiB; split it into smaller files", imports.MaxFileSize>>20)
			}
			return f, derrors.Invalid(name, "%s is too long", name)
		}
		if name == "file" {
			f.file, seenFile = b, true
		} else {
			f.values[name] = strings.TrimSpace(string(b))
		}
	}
	if !seenFile {
		return f, derrors.Invalid("file", "choose the file to import: send it in the form part \"file\"")
	}
	return f, checkFormLimits(r, f.values)
}

// options reads the options every import has.
func (f importForm) options(v *derrors.ValidationError) imports.Options {
	o := imports.Options{JobName: f.values["job_name"], Method: imports.Method(f.values["method"]),
		Priority: jobs.Priority(f.values["priority"]), Encoding: imports.Encoding(f.values["encoding"])}
	o.TestMode = f.boolean(v, "test_mode")
	o.AllOrNothing = f.boolean(v, "all_or_nothing")
	if s := f.values["run_at"]; s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			v.Add("run_at", "run_at must be a date and time such as 2030-01-31T09:00:00Z, not %q", s)
		}
		o.RunAt = t
	}
	return o
}

func (f importForm) boolean(v *derrors.ValidationError, name string) bool {
	switch f.values[name] {
	case "", "false":
		return false
	case "true":
		return true
	}
	v.Add(name, "%s must be true or false", name)
	return false
}

func (f importForm) id(v *derrors.ValidationError, name string) int64 {
	s := f.values[name]
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		v.Add(name, "%s must be a positive whole number, not %q", name, s)
		return 0
	}
	return n
}

var commonImportFields = []string{"company_id", "job_name", "run_at", "method", "priority", "test_mode", "all_or_nothing", "encoding", "file_type"}

func (h *Handler) importEmployees(w http.ResponseWriter, r *http.Request) error {
	f, err := readImportForm(r, append(commonImportFields, "generate_usernames", "send_welcome")...)
	if err != nil {
		return err
	}
	v := &derrors.ValidationError{}
	given := f.id(v, "company_id")
	o := imports.EmployeeOptions{Options: f.options(v), FileType: f.values["file_type"],
		GenerateUsernames: f.boolean(v, "generate_usernames"), SendWelcome: f.boolean(v, "send_welcome")}
	if err := v.Err(); err != nil {
		return err
	}
	s, err := h.app.Imports().SubmitEmployees(r.Context(), actor(r), given, f.file, o)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+strconv.FormatInt(s.Job.ID, 10))
	WriteJSON(w, http.StatusCreated, s)
	return nil
}

func (h *Handler) importGroups(w http.ResponseWriter, r *http.Request) error {
	f, err := readImportForm(r, append(commonImportFields, "parent_id")...)
	if err != nil {
		return err
	}
	v := &derrors.ValidationError{}
	given := f.id(v, "company_id")
	o := imports.GroupOptions{Options: f.options(v), FileType: f.values["file_type"], ParentID: f.id(v, "parent_id")}
	if err := v.Err(); err != nil {
		return err
	}
	s, err := h.app.Imports().SubmitGroups(r.Context(), actor(r), given, f.file, o)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+strconv.FormatInt(s.Job.ID, 10))
	WriteJSON(w, http.StatusCreated, s)
	return nil
}

func (h *Handler) employeeImportTemplate(w http.ResponseWriter, r *http.Request) error {
	writeDownload(w, "text/csv; charset=utf-8", "employee-import-template.csv", imports.EmployeeTemplate())
	return nil
}

func (h *Handler) groupImportTemplate(w http.ResponseWriter, r *http.Request) error {
	ft := r.URL.Query().Get("file_type")
	b, ct, err := imports.GroupTemplate(ft)
	if err != nil {
		return err
	}
	name := "group-import-template.csv"
	switch ft {
	case imports.GroupFileXML:
		name = "group-import-template.xml"
	case imports.GroupFileOutlook:
		name = "group-import-outlook-template.csv"
	}
	writeDownload(w, ct, name, b)
	return nil
}

func writeDownload(w http.ResponseWriter, contentType, name string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (h *Handler) listImports(w http.ResponseWriter, r *http.Request) error {
	given, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	pg, err := h.app.Imports().JobsPage(r.Context(), actor(r), given, r.URL.Query().Get("kind"), p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

func (h *Handler) getImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.app.Imports().Job(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, j)
	return nil
}

func (h *Handler) importItems(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	items, total, err := h.app.Imports().Items(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(items, total, p))
	return nil
}

func (h *Handler) cancelImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.app.Imports().Cancel(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, j)
	return nil
}
