/* tunctl.h - what the commands include: the context (ctx.h), the command
 * table's entry points (commands.h) and batch mode (batch.h).  The layers
 * below the commands include ctx.h alone, never this nor cmdline.h. */
#ifndef TUNCTL_H
#define TUNCTL_H

#include "batch.h"
#include "commands.h"
#include "ctx.h"

#endif
