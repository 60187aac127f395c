package billing

import (
	"context"
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// InvoicePDF writes an invoice as a one-page (or longer) A4 PDF: the
// provider and the customer, the period, one row per line, the totals and
// the tax. The document is made from the stored invoice, so downloading it
// twice gives the same figures.
func (s *Service) InvoicePDF(ctx context.Context, actor access.Actor, id int64, w io.Writer) (err error) {
	defer derrors.Wrap(&err, "billing: invoice %d as PDF", id)
	inv, err := s.InvoiceFor(ctx, actor, id)
	if err != nil {
		return err
	}
	var provider string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT name FROM providers WHERE id = ?", actor.ProviderID).Scan(&provider); err != nil {
		return err
	}
	return renderPDF(inv, provider, w)
}

func renderPDF(inv Invoice, provider string, w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	// The core fonts are Windows-1252; the translator keeps names such as
	// "Siobhán" or "Zürich" intact.
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle("Invoice "+inv.Number, true)
	pdf.SetAuthor(provider, true)
	pdf.SetCreationDate(inv.CreatedAt)
	pdf.SetModificationDate(inv.CreatedAt)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 10, tr(provider), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	pdf.CellFormat(0, 6, tr("Invoice "+inv.Number), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, tr("Customer: "+inv.CustomerName), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, fmt.Sprintf("Period: %s to %s (UTC)", inv.PeriodStart.Format("2 January 2006"),
		inv.PeriodEnd.AddDate(0, 0, -1).Format("2 January 2006")), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, "Issued: "+inv.CreatedAt.Format("2 January 2006 15:04 UTC"), "", 1, "L", false, 0, "")
	pdf.Ln(6)

	widths := []float64{90, 25, 35, 40}
	pdf.SetFont("Helvetica", "B", 10)
	for i, h := range []string{"Description", "Quantity", "Unit price", "Amount"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	if len(inv.Lines) == 0 {
		pdf.CellFormat(0, 7, "No charges in this period.", "", 1, "L", false, 0, "")
	}
	for _, l := range inv.Lines {
		unit := ""
		if l.UnitPrice != 0 {
			unit = FormatMicros(l.UnitPrice, inv.Currency)
		}
		pdf.CellFormat(widths[0], 7, tr(l.Description), "", 0, "L", false, 0, "")
		pdf.CellFormat(widths[1], 7, fmt.Sprintf("%d %s", l.Quantity, l.Unit), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[2], 7, unit, "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[3], 7, FormatMinor(l.AmountMinor, inv.Currency), "", 1, "R", false, 0, "")
	}
	pdf.Ln(4)
	total := func(label string, minor int64, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 10)
		pdf.CellFormat(widths[0]+widths[1]+widths[2], 7, label, "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[3], 7, FormatMinor(minor, inv.Currency), "", 1, "R", false, 0, "")
	}
	total("Calls", inv.UsageMinor, false)
	total("Rentals", inv.RentalMinor, false)
	total("Subtotal", inv.SubtotalMinor, false)
	total(fmt.Sprintf("Tax at %d.%02d %%", inv.TaxRateBP/100, inv.TaxRateBP%100), inv.TaxMinor, false)
	total("Total", inv.TotalMinor, true)
	return pdf.Output(w)
}
