/* A rule that reaches up: the one violation. */
#include "thing.h"
#include "spawn.h"
