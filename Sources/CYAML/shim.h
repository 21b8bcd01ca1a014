#ifndef HANDOFF_CYAML_SHIM_H
#define HANDOFF_CYAML_SHIM_H
#include <yaml.h>
#endif
