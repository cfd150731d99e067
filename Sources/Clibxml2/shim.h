// Debian's libxml2 is built with ICU; its UErrorCode clashes with Foundation's. See NOTES-system-libraries.md.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

// xmlFree is a global function pointer (a mutable C global to Swift 6): called through here.
static inline void lessonc_xmlFree(void *pointer) { xmlFree(pointer); }
