/* Text from the command line or a file, made safe to print: a terminal
   must not take a byte of it as a newline or an escape sequence. */
#ifndef STATICTLS_VISIBLE_H
#define STATICTLS_VISIBLE_H

/* s with every control byte, DEL and byte above 0x7e written as \n, \t or
   \xHH (and '\' as \\); the caller frees it. */
char *visible(const char *s);

#endif
