#ifndef CHECKER_SNOOP_H
#define CHECKER_SNOOP_H
/* checker snoop DIR: see snoop.c. */
int checker_snoop(const char *dir);
#endif
