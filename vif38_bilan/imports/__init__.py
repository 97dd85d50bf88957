"""Foundation: Word documents in, for the imports of a protocol or an earlier bilan. document (a
.docx's paragraphs and tables in body order, tracked changes, soft breaks, text boxes) · conversion
(.doc, .odt, .rtf converted to .docx by LibreOffice in a temporary folder, the input untouched)."""
