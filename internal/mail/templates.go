package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Templates: templates/<kind>.txt holds "Subject: …", a blank line and the
// text body; templates/<kind>.html the HTML body. Both see the same data.
//
//go:embed templates/*.txt templates/*.html
var templateFiles embed.FS

var (
	textTemplates = texttemplate.Must(texttemplate.New("").Option("missingkey=error").ParseFS(templateFiles, "templates/*.txt"))
	htmlTemplates = htmltemplate.Must(htmltemplate.New("").Option("missingkey=error").ParseFS(templateFiles, "templates/*.html"))
)

// Render builds a message of kind to to from its templates and data.
func Render(kind, to string, data any) (Message, error) {
	var text bytes.Buffer
	if err := textTemplates.ExecuteTemplate(&text, kind+".txt", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s text: %w", kind, err)
	}
	head, body, ok := strings.Cut(text.String(), "\n\n")
	subject, found := strings.CutPrefix(head, "Subject: ")
	if !ok || !found {
		return Message{}, fmt.Errorf("mail: template %s.txt must start with 'Subject: …' and a blank line", kind)
	}
	var html bytes.Buffer
	if err := htmlTemplates.ExecuteTemplate(&html, kind+".html", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s html: %w", kind, err)
	}
	return Message{Kind: kind, To: to, Subject: strings.TrimSpace(subject), Text: strings.TrimLeft(body, "\n"), HTML: html.String()}, nil
}
