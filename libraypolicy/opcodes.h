/* opcodes.h -- the opcode enum and its tables, expanded from opcodes.def. */
#ifndef RPI_OPCODES_H
#define RPI_OPCODES_H

#include <stdint.h>

typedef enum rpi_opcode {
#define OP(name, fmt, pops, pushes, doc) OP_##name,
#include "opcodes.def"
#undef OP
    OP__COUNT
} rpi_opcode;

typedef enum rpi_opfmt { FMT_NONE, FMT_X, FMT_A, FMT_B, FMT_AB, FMT_XB, FMT_XAB } rpi_opfmt;

typedef struct rpi_opinfo {
    const char *name;
    uint8_t fmt;        /* rpi_opfmt */
    int8_t pops;        /* -1: variable */
    int8_t pushes;
    const char *doc;
} rpi_opinfo;

extern const rpi_opinfo rpi_opcodes[OP__COUNT];

#endif /* RPI_OPCODES_H */
