// glibc's allocator tuning (mallopt, malloc_trim): part of libc, so nothing to link.
#include <malloc.h>
