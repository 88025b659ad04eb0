#include "textflag.h"

// func sparseRowAVX(y, x *float32, idx *int32, val *float32, nnz, l int, mask *int32)
//
// y[0:l] = Σ_p val[p]·x[idx[p]·l : idx[p]·l+l], nnz ≥ 1, l ≥ 1. The row is
// done in passes over all non-zeros: 64 floats of y (Y0–Y7) per pass while
// at least 64 remain, then one pass each of 32, 16 and 8 as needed, then a
// masked pass for the last l%8. Per element the arithmetic is gonum's
// AxpyUnitary's: y starts at +0; per non-zero with val ≠ ±0, in order,
// t = x·val (VMULPS, x the first operand like MULPS's destination), then
// y = t + y (VADDPS, t first like ADDPS's destination). Never FMA.
//
// Registers: DI = y at the pass, SI = x at the pass's column, R8/R9 = idx/val,
// R10 = nnz, R11 = floats of y left, R13 = x row stride in bytes,
// Y13 = tail mask. In a pass: AX/BX walk idx/val, CX counts, R12 is the
// current x row, Y12 the broadcast val, Y8–Y11 products.

// NZ starts a non-zero: skip it if val is ±0 (shifting out the sign leaves
// zero), else broadcast val and point R12 at x's row idx, this pass's column.
#define NZ(skip) \
	MOVL         (BX), R12   \
	SHLL         $1, R12     \
	JZ           skip        \
	VBROADCASTSS (BX), Y12   \
	MOVLQSX      (AX), R12   \
	IMULQ        R13, R12    \
	ADDQ         SI, R12

// ACC adds val·x[off/4 : off/4+8] to acc through tmp.
#define ACC(off, acc, tmp) \
	VMOVUPS off(R12), tmp      \
	VMULPS  Y12, tmp, tmp      \
	VADDPS  acc, tmp, acc

// NEXT moves to the next non-zero and loops back to top while any is left.
#define NEXT(top) \
	ADDQ $4, AX \
	ADDQ $4, BX \
	DECQ CX     \
	JNZ  top

#define START \
	MOVQ R8, AX  \
	MOVQ R9, BX  \
	MOVQ R10, CX

TEXT ·sparseRowAVX(SB), NOSPLIT, $0-56
	MOVQ    y+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    idx+16(FP), R8
	MOVQ    val+24(FP), R9
	MOVQ    nnz+32(FP), R10
	MOVQ    l+40(FP), R11
	MOVQ    mask+48(FP), R12
	VMOVDQU (R12), Y13
	MOVQ    R11, R13
	SHLQ    $2, R13

pass64:
	CMPQ   R11, $64
	JLT    pass32
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	START

nz64:
	NZ(skip64)
	ACC(0, Y0, Y8)
	ACC(32, Y1, Y9)
	ACC(64, Y2, Y10)
	ACC(96, Y3, Y11)
	ACC(128, Y4, Y8)
	ACC(160, Y5, Y9)
	ACC(192, Y6, Y10)
	ACC(224, Y7, Y11)

skip64:
	NEXT(nz64)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $64, R11
	JMP     pass64

pass32:
	CMPQ   R11, $32
	JLT    pass16
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	START

nz32:
	NZ(skip32)
	ACC(0, Y0, Y8)
	ACC(32, Y1, Y9)
	ACC(64, Y2, Y10)
	ACC(96, Y3, Y11)

skip32:
	NEXT(nz32)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $32, R11

pass16:
	CMPQ   R11, $16
	JLT    pass8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	START

nz16:
	NZ(skip16)
	ACC(0, Y0, Y8)
	ACC(32, Y1, Y9)

skip16:
	NEXT(nz16)
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, R11

pass8:
	CMPQ   R11, $8
	JLT    tail
	VXORPS Y0, Y0, Y0
	START

nz8:
	NZ(skip8)
	ACC(0, Y0, Y8)

skip8:
	NEXT(nz8)
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, R11

tail:
	TESTQ  R11, R11
	JZ     done
	VXORPS Y0, Y0, Y0
	START

nztail:
	NZ(skiptail)

	// Masked: lanes past the row's end are neither read nor written.
	VMASKMOVPS (R12), Y13, Y8
	VMULPS     Y12, Y8, Y8
	VADDPS     Y0, Y8, Y0

skiptail:
	NEXT(nztail)
	VMASKMOVPS Y0, Y13, (DI)

done:
	VZEROUPPER
	RET
