// Debian's libxml2 is built with ICU; its UErrorCode clashes with Foundation's. See NOTES-system-libraries.md.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
