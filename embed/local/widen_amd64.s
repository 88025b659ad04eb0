#include "textflag.h"

// func addWidenedAVX(acc *float64, x *float32, wt float64, n int)
//
// acc[0:n] += wt·float64(x[0:n]), n a positive multiple of 8, eight
// elements a step. Per element: widen x (VCVTPS2PD, exact), multiply by wt
// (VMULPD), add to acc (VADDPD): the operations of addWidenedGo's
// acc[j] += wt * float64(v), each rounded on its own, never FMA.
TEXT ·addWidenedAVX(SB), NOSPLIT, $0-32
	MOVQ         acc+0(FP), DI
	MOVQ         x+8(FP), SI
	VBROADCASTSD wt+16(FP), Y4
	MOVQ         n+24(FP), CX
	SHRQ         $3, CX

loop:
	VCVTPS2PD (SI), Y0
	VCVTPS2PD 16(SI), Y1
	VMULPD    Y4, Y0, Y0
	VMULPD    Y4, Y1, Y1
	VADDPD    (DI), Y0, Y0
	VADDPD    32(DI), Y1, Y1
	VMOVUPD   Y0, (DI)
	VMOVUPD   Y1, 32(DI)
	ADDQ      $32, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       loop
	VZEROUPPER
	RET
