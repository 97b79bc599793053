//go:build !purego

#include "textflag.h"

// func hasAVX512() bool: AVX512F and the OS saving opmask and ZMM state.
TEXT ·hasAVX512(SB), NOSPLIT, $0-1
	MOVL $0, AX
	CPUID
	CMPL AX, $7
	JLT  no
	MOVL $1, AX
	XORL CX, CX
	CPUID
	ANDL $0x08000000, CX // OSXSAVE
	JZ   no
	XORL CX, CX
	XGETBV
	ANDL $0xE6, AX // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM
	CMPL AX, $0xE6
	JNE  no
	MOVL $7, AX
	XORL CX, CX
	CPUID
	ANDL $0x10000, BX // AVX512F (bit 16)
	JZ   no
	MOVB $1, ret+0(FP)
	RET
no:
	MOVB $0, ret+0(FP)
	RET

// DIST8 turns the squared distances in Z3 into distances in Z8: an
// approximate 1/sqrt (14 bits) refined by two Newton steps
// y ← y·(1.5 − 0.5·s·y²) (about 53 bits), times s; lanes with s = 0 give 0.
#define DIST8 \
	VRSQRT14PD   Z3, Z6; \
	VMULPD       Z6, Z3, Z7; \
	VMULPD       Z6, Z7, Z7; \
	VFNMADD213PD Z12, Z13, Z7; \
	VMULPD       Z7, Z6, Z6; \
	VMULPD       Z6, Z3, Z7; \
	VMULPD       Z6, Z7, Z7; \
	VFNMADD213PD Z12, Z13, Z7; \
	VMULPD       Z7, Z6, Z6; \
	VCMPPD       $0x0E, Z14, Z3, K1; \
	VMULPD.Z     Z6, Z3, K1, Z8

#define CONSTS \
	MOVQ         $0x3FF8000000000000, AX; \
	VPBROADCASTQ AX, Z12; \
	MOVQ         $0x3FE0000000000000, AX; \
	VPBROADCASTQ AX, Z13; \
	VPXORQ       Z14, Z14, Z14; \
	VPXORQ       Z10, Z10, Z10

#define HSUM(ret) \
	VEXTRACTF64X4 $1, Z10, Y11; \
	VADDPD        Y11, Y10, Y10; \
	VEXTRACTF128  $1, Y10, X11; \
	VADDPD        X11, X10, X10; \
	VUNPCKHPD     X10, X10, X11; \
	VADDSD        X11, X10, X10; \
	VMOVSD        X10, ret; \
	VZEROUPPER

// func run3AVX512(x0, x1, x2 float64, c0, c1, c2, acc *float64, n int) float64
// n must be a multiple of 8.
TEXT ·run3AVX512(SB), NOSPLIT, $0-72
	VBROADCASTSD x0+0(FP), Z0
	VBROADCASTSD x1+8(FP), Z1
	VBROADCASTSD x2+16(FP), Z2
	MOVQ c0+24(FP), SI
	MOVQ c1+32(FP), DI
	MOVQ c2+40(FP), R8
	MOVQ acc+48(FP), R9
	MOVQ n+56(FP), CX
	CONSTS

loop:
	CMPQ CX, $8
	JLT  done
	VMOVUPD     (SI), Z3
	VSUBPD      Z0, Z3, Z3
	VMULPD      Z3, Z3, Z3
	VMOVUPD     (DI), Z4
	VSUBPD      Z1, Z4, Z4
	VFMADD231PD Z4, Z4, Z3
	VMOVUPD     (R8), Z5
	VSUBPD      Z2, Z5, Z5
	VFMADD231PD Z5, Z5, Z3
	DIST8
	VADDPD      (R9), Z8, Z9
	VMOVUPD     Z9, (R9)
	VADDPD      Z8, Z10, Z10
	ADDQ        $64, SI
	ADDQ        $64, DI
	ADDQ        $64, R8
	ADDQ        $64, R9
	SUBQ        $8, CX
	JMP         loop

done:
	HSUM(ret+64(FP))
	RET

// func run2AVX512(x0, x1 float64, c0, c1, acc *float64, n int) float64
// n must be a multiple of 8.
TEXT ·run2AVX512(SB), NOSPLIT, $0-56
	VBROADCASTSD x0+0(FP), Z0
	VBROADCASTSD x1+8(FP), Z1
	MOVQ c0+16(FP), SI
	MOVQ c1+24(FP), DI
	MOVQ acc+32(FP), R9
	MOVQ n+40(FP), CX
	CONSTS

loop:
	CMPQ CX, $8
	JLT  done
	VMOVUPD     (SI), Z3
	VSUBPD      Z0, Z3, Z3
	VMULPD      Z3, Z3, Z3
	VMOVUPD     (DI), Z4
	VSUBPD      Z1, Z4, Z4
	VFMADD231PD Z4, Z4, Z3
	DIST8
	VADDPD      (R9), Z8, Z9
	VMOVUPD     Z9, (R9)
	VADDPD      Z8, Z10, Z10
	ADDQ        $64, SI
	ADDQ        $64, DI
	ADDQ        $64, R9
	SUBQ        $8, CX
	JMP         loop

done:
	HSUM(ret+48(FP))
	RET

// func runNAVX512(xi, col0 *float64, stride, d int, acc *float64, m int) float64
// Distances from point xi (d coordinates) to the m points (m a multiple of
// 8) whose coordinate j is at col0[j*stride + t], t < m; each is added to
// acc[t] and their sum returned.
TEXT ·runNAVX512(SB), NOSPLIT, $0-56
	MOVQ xi+0(FP), SI
	MOVQ col0+8(FP), DI
	MOVQ stride+16(FP), R10
	SHLQ $3, R10
	MOVQ d+24(FP), R11
	MOVQ acc+32(FP), R9
	MOVQ m+40(FP), CX
	CONSTS

loop:
	CMPQ   CX, $8
	JLT    done
	VPXORQ Z3, Z3, Z3
	MOVQ   DI, BX
	MOVQ   SI, DX
	MOVQ   R11, R8

dims:
	VBROADCASTSD (DX), Z0
	VMOVUPD      (BX), Z4
	VSUBPD       Z0, Z4, Z4
	VFMADD231PD  Z4, Z4, Z3
	ADDQ         R10, BX
	ADDQ         $8, DX
	DECQ         R8
	JNZ          dims
	DIST8
	VADDPD       (R9), Z8, Z9
	VMOVUPD      Z9, (R9)
	VADDPD       Z8, Z10, Z10
	ADDQ         $64, DI
	ADDQ         $64, R9
	SUBQ         $8, CX
	JMP          loop

done:
	HSUM(ret+48(FP))
	RET
