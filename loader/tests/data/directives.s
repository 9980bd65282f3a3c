// Hand-written kernel descriptor with non-default values for many fields, assembled by
// llvm-mc-19: the assembler is the oracle for which bits each .amdhsa_* directive sets.
    .amdgcn_target "amdgcn-amd-amdhsa--gfx1010"
    .text
    .p2align 8
    .globl hand
    .type hand,@function
hand:
    s_endpgm
.Lhand_end:
    .size hand, .Lhand_end-hand

    .rodata
    .p2align 6
    .amdhsa_kernel hand
        .amdhsa_group_segment_fixed_size 4096
        .amdhsa_private_segment_fixed_size 64
        .amdhsa_kernarg_size 16
        .amdhsa_user_sgpr_count 13
        .amdhsa_user_sgpr_private_segment_buffer 1
        .amdhsa_user_sgpr_dispatch_ptr 1
        .amdhsa_user_sgpr_queue_ptr 0
        .amdhsa_user_sgpr_kernarg_segment_ptr 1
        .amdhsa_user_sgpr_dispatch_id 1
        .amdhsa_user_sgpr_flat_scratch_init 1
        .amdhsa_user_sgpr_private_segment_size 0
        .amdhsa_wavefront_size32 0
        .amdhsa_system_sgpr_private_segment_wavefront_offset 1
        .amdhsa_system_sgpr_workgroup_id_x 1
        .amdhsa_system_sgpr_workgroup_id_y 0
        .amdhsa_system_sgpr_workgroup_id_z 1
        .amdhsa_system_sgpr_workgroup_info 1
        .amdhsa_system_vgpr_workitem_id 2
        .amdhsa_next_free_vgpr 37
        .amdhsa_next_free_sgpr 20
        .amdhsa_reserve_vcc 0
        .amdhsa_float_round_mode_32 1
        .amdhsa_float_round_mode_16_64 2
        .amdhsa_float_denorm_mode_32 0
        .amdhsa_float_denorm_mode_16_64 3
        .amdhsa_dx10_clamp 0
        .amdhsa_ieee_mode 1
        .amdhsa_fp16_overflow 1
        .amdhsa_workgroup_processor_mode 0
        .amdhsa_memory_ordered 1
        .amdhsa_forward_progress 1
        .amdhsa_shared_vgpr_count 0
        .amdhsa_exception_fp_ieee_invalid_op 1
        .amdhsa_exception_fp_denorm_src 0
        .amdhsa_exception_fp_ieee_div_zero 1
        .amdhsa_exception_fp_ieee_overflow 0
        .amdhsa_exception_fp_ieee_underflow 0
        .amdhsa_exception_fp_ieee_inexact 0
        .amdhsa_exception_int_div_zero 1
    .end_amdhsa_kernel

    .amdgpu_metadata
---
amdhsa.version:
  - 1
  - 2
amdhsa.target: amdgcn-amd-amdhsa--gfx1010
amdhsa.kernels:
  - .name: hand
    .symbol: hand.kd
    .kernarg_segment_size: 16
    .kernarg_segment_align: 8
    .group_segment_fixed_size: 4096
    .private_segment_fixed_size: 64
    .wavefront_size: 64
    .sgpr_count: 20
    .vgpr_count: 37
    .max_flat_workgroup_size: 1024
    .args:
      - .name: out
        .offset: 0
        .size: 8
        .value_kind: global_buffer
        .address_space: global
        .access: write_only
      - .name: count
        .offset: 8
        .size: 4
        .value_kind: by_value
        .type_name: uint
...
    .end_amdgpu_metadata
