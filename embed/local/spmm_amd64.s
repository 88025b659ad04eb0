#include "textflag.h"

// func sparseRowAVX(y, x *float32, idx *int32, val *float32, nnz, l int, mask *int32)
//
// y[0:l] = Σ_p val[p]·x[idx[p]·l : idx[p]·l+l], nnz ≥ 1, l ≥ 1. The row is
// done in passes over all non-zeros: 64 floats of y (Y0–Y7) per pass while
// at least 64 remain, then one pass for the rest (up to seven whole vectors
// and a masked one for l%8). Per element the arithmetic is gonum's
// AxpyUnitary's: y starts at +0; per non-zero with val ≠ ±0, in order,
// t = x·val (VMULPS, x the first operand like MULPS's destination), then
// y = t + y (VADDPS, t first like ADDPS's destination). Never FMA.
//
// Registers: DI = y at the pass, SI = x at the pass's column, R8/R9 = idx/val,
// R10 = nnz, R11 = floats of y left, R13 = x row stride in bytes,
// Y13 = tail mask, DX = the tail's byte offset in the last pass. In a pass:
// AX/BX walk idx/val, CX counts, R12 is the current x row, Y12 the
// broadcast val, Y8–Y11 products.

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

// NZ512 is NZ broadcasting val into Z28.
#define NZ512(skip) \
	MOVL         (BX), R12   \
	SHLL         $1, R12     \
	JZ           skip        \
	VBROADCASTSS (BX), Z28   \
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
	JLT    rest
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

	// The last 1–63 floats, in one pass: Y0–Y6 take the whole vectors
	// (while the checks on R11 allow), Y7 the masked tail of l%8 floats at
	// byte DX. The checks give the same answer for every non-zero.
rest:
	TESTQ  R11, R11
	JZ     done
	MOVQ   R11, DX
	ANDQ   $-8, DX
	SHLQ   $2, DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	START

nzrest:
	NZ(skiprest)
	CMPQ R11, $8
	JLT  masked
	ACC(0, Y0, Y8)
	CMPQ R11, $16
	JLT  masked
	ACC(32, Y1, Y9)
	CMPQ R11, $24
	JLT  masked
	ACC(64, Y2, Y10)
	CMPQ R11, $32
	JLT  masked
	ACC(96, Y3, Y11)
	CMPQ R11, $40
	JLT  masked
	ACC(128, Y4, Y8)
	CMPQ R11, $48
	JLT  masked
	ACC(160, Y5, Y9)
	CMPQ R11, $56
	JLT  masked
	ACC(192, Y6, Y10)

masked:
	// Lanes past the row's end are neither read nor written; with l%8 = 0
	// the mask is empty and this adds nothing that is stored.
	VMASKMOVPS (R12)(DX*1), Y13, Y11
	VMULPS     Y12, Y11, Y11
	VADDPS     Y7, Y11, Y7

skiprest:
	NEXT(nzrest)
	VMASKMOVPS Y7, Y13, (DI)(DX*1)
	CMPQ       R11, $8
	JLT        done
	VMOVUPS    Y0, (DI)
	CMPQ       R11, $16
	JLT        done
	VMOVUPS    Y1, 32(DI)
	CMPQ       R11, $24
	JLT        done
	VMOVUPS    Y2, 64(DI)
	CMPQ       R11, $32
	JLT        done
	VMOVUPS    Y3, 96(DI)
	CMPQ       R11, $40
	JLT        done
	VMOVUPS    Y4, 128(DI)
	CMPQ       R11, $48
	JLT        done
	VMOVUPS    Y5, 160(DI)
	CMPQ       R11, $56
	JLT        done
	VMOVUPS    Y6, 192(DI)

done:
	VZEROUPPER
	RET

// func sparseRowAVX512(y, x *float32, idx *int32, val *float32, nnz, l int)
//
// sparseRowAVX with 32 ZMM registers: a pass keeps up to 23 whole vectors
// (368 floats, Z0–Z22) and a masked one (Z23, K1) of y, so the default
// model's rows (l = 178) take one pass and each x row is read front to back
// once. Same arithmetic per element as sparseRowAVX (and AxpyUnitary).
//
// Registers as in sparseRowAVX, except: R11 = floats in this pass, the
// floats left after it wait in l+40(FP); Z28 is the broadcast val,
// Z24–Z27 and Z29 products, K1 the tail mask, DX the tail's byte offset.

// ACC512 adds val·x[off/4 : off/4+16] to acc through tmp.
#define ACC512(off, acc, tmp) \
	VMOVUPS off(R12), tmp      \
	VMULPS  Z28, tmp, tmp      \
	VADDPS  acc, tmp, acc

TEXT ·sparseRowAVX512(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ idx+16(FP), R8
	MOVQ val+24(FP), R9
	MOVQ nnz+32(FP), R10
	MOVQ l+40(FP), R13
	SHLQ $2, R13

pass512:
	// R11 = min(left, 368); left -= R11.
	MOVQ   l+40(FP), R11
	MOVQ   $368, AX
	CMPQ   R11, AX
	CMOVQGT AX, R11
	SUBQ   R11, l+40(FP)
	MOVQ   R11, DX
	ANDQ   $-16, DX
	SHLQ   $2, DX
	MOVQ   R11, CX
	ANDQ   $15, CX
	MOVL   $1, AX
	SHLL   CX, AX
	DECL   AX
	KMOVW  AX, K1

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	START

nz512:
	NZ512(skip512)
	CMPQ R11, $16
	JLT  masked512
	ACC512(0, Z0, Z24)
	CMPQ R11, $32
	JLT  masked512
	ACC512(64, Z1, Z25)
	CMPQ R11, $48
	JLT  masked512
	ACC512(128, Z2, Z26)
	CMPQ R11, $64
	JLT  masked512
	ACC512(192, Z3, Z27)
	CMPQ R11, $80
	JLT  masked512
	ACC512(256, Z4, Z24)
	CMPQ R11, $96
	JLT  masked512
	ACC512(320, Z5, Z25)
	CMPQ R11, $112
	JLT  masked512
	ACC512(384, Z6, Z26)
	CMPQ R11, $128
	JLT  masked512
	ACC512(448, Z7, Z27)
	CMPQ R11, $144
	JLT  masked512
	ACC512(512, Z8, Z24)
	CMPQ R11, $160
	JLT  masked512
	ACC512(576, Z9, Z25)
	CMPQ R11, $176
	JLT  masked512
	ACC512(640, Z10, Z26)
	CMPQ R11, $192
	JLT  masked512
	ACC512(704, Z11, Z27)
	CMPQ R11, $208
	JLT  masked512
	ACC512(768, Z12, Z24)
	CMPQ R11, $224
	JLT  masked512
	ACC512(832, Z13, Z25)
	CMPQ R11, $240
	JLT  masked512
	ACC512(896, Z14, Z26)
	CMPQ R11, $256
	JLT  masked512
	ACC512(960, Z15, Z27)
	CMPQ R11, $272
	JLT  masked512
	ACC512(1024, Z16, Z24)
	CMPQ R11, $288
	JLT  masked512
	ACC512(1088, Z17, Z25)
	CMPQ R11, $304
	JLT  masked512
	ACC512(1152, Z18, Z26)
	CMPQ R11, $320
	JLT  masked512
	ACC512(1216, Z19, Z27)
	CMPQ R11, $336
	JLT  masked512
	ACC512(1280, Z20, Z24)
	CMPQ R11, $352
	JLT  masked512
	ACC512(1344, Z21, Z25)
	CMPQ R11, $368
	JLT  masked512
	ACC512(1408, Z22, Z26)

masked512:
	// Lanes past the pass's end are neither read nor written (K1 = 0 when
	// the pass ends on a whole vector).
	VMOVUPS.Z (R12)(DX*1), K1, Z29
	VMULPS    Z28, Z29, Z29
	VADDPS    Z23, Z29, Z23

skip512:
	NEXT(nz512)
	VMOVUPS Z23, K1, (DI)(DX*1)
	CMPQ R11, $16
	JLT  stored512
	VMOVUPS Z0, 0(DI)
	CMPQ R11, $32
	JLT  stored512
	VMOVUPS Z1, 64(DI)
	CMPQ R11, $48
	JLT  stored512
	VMOVUPS Z2, 128(DI)
	CMPQ R11, $64
	JLT  stored512
	VMOVUPS Z3, 192(DI)
	CMPQ R11, $80
	JLT  stored512
	VMOVUPS Z4, 256(DI)
	CMPQ R11, $96
	JLT  stored512
	VMOVUPS Z5, 320(DI)
	CMPQ R11, $112
	JLT  stored512
	VMOVUPS Z6, 384(DI)
	CMPQ R11, $128
	JLT  stored512
	VMOVUPS Z7, 448(DI)
	CMPQ R11, $144
	JLT  stored512
	VMOVUPS Z8, 512(DI)
	CMPQ R11, $160
	JLT  stored512
	VMOVUPS Z9, 576(DI)
	CMPQ R11, $176
	JLT  stored512
	VMOVUPS Z10, 640(DI)
	CMPQ R11, $192
	JLT  stored512
	VMOVUPS Z11, 704(DI)
	CMPQ R11, $208
	JLT  stored512
	VMOVUPS Z12, 768(DI)
	CMPQ R11, $224
	JLT  stored512
	VMOVUPS Z13, 832(DI)
	CMPQ R11, $240
	JLT  stored512
	VMOVUPS Z14, 896(DI)
	CMPQ R11, $256
	JLT  stored512
	VMOVUPS Z15, 960(DI)
	CMPQ R11, $272
	JLT  stored512
	VMOVUPS Z16, 1024(DI)
	CMPQ R11, $288
	JLT  stored512
	VMOVUPS Z17, 1088(DI)
	CMPQ R11, $304
	JLT  stored512
	VMOVUPS Z18, 1152(DI)
	CMPQ R11, $320
	JLT  stored512
	VMOVUPS Z19, 1216(DI)
	CMPQ R11, $336
	JLT  stored512
	VMOVUPS Z20, 1280(DI)
	CMPQ R11, $352
	JLT  stored512
	VMOVUPS Z21, 1344(DI)
	CMPQ R11, $368
	JLT  stored512
	VMOVUPS Z22, 1408(DI)

stored512:
	LEAQ (DI)(R11*4), DI
	LEAQ (SI)(R11*4), SI
	CMPQ l+40(FP), $0
	JNE  pass512
	VZEROUPPER
	RET
