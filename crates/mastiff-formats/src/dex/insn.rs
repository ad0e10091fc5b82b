//! Dalvik instruction decoding: the opcode table, every instruction format, and the three payload
//! pseudo-instructions (packed-switch, sparse-switch, fill-array-data).
//!
//! Instructions are decoded from the raw little-endian `insns` bytes of a code item without
//! copying. [`Instructions`] walks a method body: payloads met inline are skipped whole, unused
//! opcodes are reported as [`Format::Unused`] and skipped one code unit, and a truncated final
//! instruction ends the walk with [`Instructions::truncated`] set. Nothing here panics.

/// An instruction format, named as in the Dalvik "instruction formats" document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// An opcode not assigned in any DEX version 035..041; skipped as one code unit.
    Unused,
    F10x,
    F12x,
    F11n,
    F11x,
    F10t,
    F20t,
    F20bc,
    F22x,
    F21t,
    F21s,
    F21h,
    F21c,
    F23x,
    F22b,
    F22t,
    F22s,
    F22c,
    F22cs,
    F30t,
    F32x,
    F31i,
    F31t,
    F31c,
    F35c,
    F35ms,
    F35mi,
    F3rc,
    F3rms,
    F3rmi,
    F45cc,
    F4rcc,
    F51l,
}

impl Format {
    /// Size in 16-bit code units.
    #[inline]
    pub fn units(self) -> u32 {
        match self {
            Format::Unused | Format::F10x | Format::F12x | Format::F11n | Format::F11x => 1,
            Format::F10t => 1,
            Format::F20t
            | Format::F20bc
            | Format::F22x
            | Format::F21t
            | Format::F21s
            | Format::F21h
            | Format::F21c
            | Format::F23x
            | Format::F22b
            | Format::F22t
            | Format::F22s
            | Format::F22c
            | Format::F22cs => 2,
            Format::F30t
            | Format::F32x
            | Format::F31i
            | Format::F31t
            | Format::F31c
            | Format::F35c
            | Format::F35ms
            | Format::F35mi
            | Format::F3rc
            | Format::F3rms
            | Format::F3rmi => 3,
            Format::F45cc | Format::F4rcc => 4,
            Format::F51l => 5,
        }
    }
}

/// The opcode table: mnemonic and format of each opcode byte (DEX 035..041).
///
/// The optimized-dex opcodes that once used 20bc/22cs/35ms/35mi/3rms/3rmi occupy bytes that are
/// unused in every DEX file version; those formats can still be decoded with [`decode_as`].
pub static OPCODES: [(&str, Format); 256] = [
    ("nop", Format::F10x),                       // 0x00
    ("move", Format::F12x),                      // 0x01
    ("move/from16", Format::F22x),               // 0x02
    ("move/16", Format::F32x),                   // 0x03
    ("move-wide", Format::F12x),                 // 0x04
    ("move-wide/from16", Format::F22x),          // 0x05
    ("move-wide/16", Format::F32x),              // 0x06
    ("move-object", Format::F12x),               // 0x07
    ("move-object/from16", Format::F22x),        // 0x08
    ("move-object/16", Format::F32x),            // 0x09
    ("move-result", Format::F11x),               // 0x0a
    ("move-result-wide", Format::F11x),          // 0x0b
    ("move-result-object", Format::F11x),        // 0x0c
    ("move-exception", Format::F11x),            // 0x0d
    ("return-void", Format::F10x),               // 0x0e
    ("return", Format::F11x),                    // 0x0f
    ("return-wide", Format::F11x),               // 0x10
    ("return-object", Format::F11x),             // 0x11
    ("const/4", Format::F11n),                   // 0x12
    ("const/16", Format::F21s),                  // 0x13
    ("const", Format::F31i),                     // 0x14
    ("const/high16", Format::F21h),              // 0x15
    ("const-wide/16", Format::F21s),             // 0x16
    ("const-wide/32", Format::F31i),             // 0x17
    ("const-wide", Format::F51l),                // 0x18
    ("const-wide/high16", Format::F21h),         // 0x19
    ("const-string", Format::F21c),              // 0x1a
    ("const-string/jumbo", Format::F31c),        // 0x1b
    ("const-class", Format::F21c),               // 0x1c
    ("monitor-enter", Format::F11x),             // 0x1d
    ("monitor-exit", Format::F11x),              // 0x1e
    ("check-cast", Format::F21c),                // 0x1f
    ("instance-of", Format::F22c),               // 0x20
    ("array-length", Format::F12x),              // 0x21
    ("new-instance", Format::F21c),              // 0x22
    ("new-array", Format::F22c),                 // 0x23
    ("filled-new-array", Format::F35c),          // 0x24
    ("filled-new-array/range", Format::F3rc),    // 0x25
    ("fill-array-data", Format::F31t),           // 0x26
    ("throw", Format::F11x),                     // 0x27
    ("goto", Format::F10t),                      // 0x28
    ("goto/16", Format::F20t),                   // 0x29
    ("goto/32", Format::F30t),                   // 0x2a
    ("packed-switch", Format::F31t),             // 0x2b
    ("sparse-switch", Format::F31t),             // 0x2c
    ("cmpl-float", Format::F23x),                // 0x2d
    ("cmpg-float", Format::F23x),                // 0x2e
    ("cmpl-double", Format::F23x),               // 0x2f
    ("cmpg-double", Format::F23x),               // 0x30
    ("cmp-long", Format::F23x),                  // 0x31
    ("if-eq", Format::F22t),                     // 0x32
    ("if-ne", Format::F22t),                     // 0x33
    ("if-lt", Format::F22t),                     // 0x34
    ("if-ge", Format::F22t),                     // 0x35
    ("if-gt", Format::F22t),                     // 0x36
    ("if-le", Format::F22t),                     // 0x37
    ("if-eqz", Format::F21t),                    // 0x38
    ("if-nez", Format::F21t),                    // 0x39
    ("if-ltz", Format::F21t),                    // 0x3a
    ("if-gez", Format::F21t),                    // 0x3b
    ("if-gtz", Format::F21t),                    // 0x3c
    ("if-lez", Format::F21t),                    // 0x3d
    ("(unused)", Format::Unused),                // 0x3e
    ("(unused)", Format::Unused),                // 0x3f
    ("(unused)", Format::Unused),                // 0x40
    ("(unused)", Format::Unused),                // 0x41
    ("(unused)", Format::Unused),                // 0x42
    ("(unused)", Format::Unused),                // 0x43
    ("aget", Format::F23x),                      // 0x44
    ("aget-wide", Format::F23x),                 // 0x45
    ("aget-object", Format::F23x),               // 0x46
    ("aget-boolean", Format::F23x),              // 0x47
    ("aget-byte", Format::F23x),                 // 0x48
    ("aget-char", Format::F23x),                 // 0x49
    ("aget-short", Format::F23x),                // 0x4a
    ("aput", Format::F23x),                      // 0x4b
    ("aput-wide", Format::F23x),                 // 0x4c
    ("aput-object", Format::F23x),               // 0x4d
    ("aput-boolean", Format::F23x),              // 0x4e
    ("aput-byte", Format::F23x),                 // 0x4f
    ("aput-char", Format::F23x),                 // 0x50
    ("aput-short", Format::F23x),                // 0x51
    ("iget", Format::F22c),                      // 0x52
    ("iget-wide", Format::F22c),                 // 0x53
    ("iget-object", Format::F22c),               // 0x54
    ("iget-boolean", Format::F22c),              // 0x55
    ("iget-byte", Format::F22c),                 // 0x56
    ("iget-char", Format::F22c),                 // 0x57
    ("iget-short", Format::F22c),                // 0x58
    ("iput", Format::F22c),                      // 0x59
    ("iput-wide", Format::F22c),                 // 0x5a
    ("iput-object", Format::F22c),               // 0x5b
    ("iput-boolean", Format::F22c),              // 0x5c
    ("iput-byte", Format::F22c),                 // 0x5d
    ("iput-char", Format::F22c),                 // 0x5e
    ("iput-short", Format::F22c),                // 0x5f
    ("sget", Format::F21c),                      // 0x60
    ("sget-wide", Format::F21c),                 // 0x61
    ("sget-object", Format::F21c),               // 0x62
    ("sget-boolean", Format::F21c),              // 0x63
    ("sget-byte", Format::F21c),                 // 0x64
    ("sget-char", Format::F21c),                 // 0x65
    ("sget-short", Format::F21c),                // 0x66
    ("sput", Format::F21c),                      // 0x67
    ("sput-wide", Format::F21c),                 // 0x68
    ("sput-object", Format::F21c),               // 0x69
    ("sput-boolean", Format::F21c),              // 0x6a
    ("sput-byte", Format::F21c),                 // 0x6b
    ("sput-char", Format::F21c),                 // 0x6c
    ("sput-short", Format::F21c),                // 0x6d
    ("invoke-virtual", Format::F35c),            // 0x6e
    ("invoke-super", Format::F35c),              // 0x6f
    ("invoke-direct", Format::F35c),             // 0x70
    ("invoke-static", Format::F35c),             // 0x71
    ("invoke-interface", Format::F35c),          // 0x72
    ("(unused)", Format::Unused),                // 0x73
    ("invoke-virtual/range", Format::F3rc),      // 0x74
    ("invoke-super/range", Format::F3rc),        // 0x75
    ("invoke-direct/range", Format::F3rc),       // 0x76
    ("invoke-static/range", Format::F3rc),       // 0x77
    ("invoke-interface/range", Format::F3rc),    // 0x78
    ("(unused)", Format::Unused),                // 0x79
    ("(unused)", Format::Unused),                // 0x7a
    ("neg-int", Format::F12x),                   // 0x7b
    ("not-int", Format::F12x),                   // 0x7c
    ("neg-long", Format::F12x),                  // 0x7d
    ("not-long", Format::F12x),                  // 0x7e
    ("neg-float", Format::F12x),                 // 0x7f
    ("neg-double", Format::F12x),                // 0x80
    ("int-to-long", Format::F12x),               // 0x81
    ("int-to-float", Format::F12x),              // 0x82
    ("int-to-double", Format::F12x),             // 0x83
    ("long-to-int", Format::F12x),               // 0x84
    ("long-to-float", Format::F12x),             // 0x85
    ("long-to-double", Format::F12x),            // 0x86
    ("float-to-int", Format::F12x),              // 0x87
    ("float-to-long", Format::F12x),             // 0x88
    ("float-to-double", Format::F12x),           // 0x89
    ("double-to-int", Format::F12x),             // 0x8a
    ("double-to-long", Format::F12x),            // 0x8b
    ("double-to-float", Format::F12x),           // 0x8c
    ("int-to-byte", Format::F12x),               // 0x8d
    ("int-to-char", Format::F12x),               // 0x8e
    ("int-to-short", Format::F12x),              // 0x8f
    ("add-int", Format::F23x),                   // 0x90
    ("sub-int", Format::F23x),                   // 0x91
    ("mul-int", Format::F23x),                   // 0x92
    ("div-int", Format::F23x),                   // 0x93
    ("rem-int", Format::F23x),                   // 0x94
    ("and-int", Format::F23x),                   // 0x95
    ("or-int", Format::F23x),                    // 0x96
    ("xor-int", Format::F23x),                   // 0x97
    ("shl-int", Format::F23x),                   // 0x98
    ("shr-int", Format::F23x),                   // 0x99
    ("ushr-int", Format::F23x),                  // 0x9a
    ("add-long", Format::F23x),                  // 0x9b
    ("sub-long", Format::F23x),                  // 0x9c
    ("mul-long", Format::F23x),                  // 0x9d
    ("div-long", Format::F23x),                  // 0x9e
    ("rem-long", Format::F23x),                  // 0x9f
    ("and-long", Format::F23x),                  // 0xa0
    ("or-long", Format::F23x),                   // 0xa1
    ("xor-long", Format::F23x),                  // 0xa2
    ("shl-long", Format::F23x),                  // 0xa3
    ("shr-long", Format::F23x),                  // 0xa4
    ("ushr-long", Format::F23x),                 // 0xa5
    ("add-float", Format::F23x),                 // 0xa6
    ("sub-float", Format::F23x),                 // 0xa7
    ("mul-float", Format::F23x),                 // 0xa8
    ("div-float", Format::F23x),                 // 0xa9
    ("rem-float", Format::F23x),                 // 0xaa
    ("add-double", Format::F23x),                // 0xab
    ("sub-double", Format::F23x),                // 0xac
    ("mul-double", Format::F23x),                // 0xad
    ("div-double", Format::F23x),                // 0xae
    ("rem-double", Format::F23x),                // 0xaf
    ("add-int/2addr", Format::F12x),             // 0xb0
    ("sub-int/2addr", Format::F12x),             // 0xb1
    ("mul-int/2addr", Format::F12x),             // 0xb2
    ("div-int/2addr", Format::F12x),             // 0xb3
    ("rem-int/2addr", Format::F12x),             // 0xb4
    ("and-int/2addr", Format::F12x),             // 0xb5
    ("or-int/2addr", Format::F12x),              // 0xb6
    ("xor-int/2addr", Format::F12x),             // 0xb7
    ("shl-int/2addr", Format::F12x),             // 0xb8
    ("shr-int/2addr", Format::F12x),             // 0xb9
    ("ushr-int/2addr", Format::F12x),            // 0xba
    ("add-long/2addr", Format::F12x),            // 0xbb
    ("sub-long/2addr", Format::F12x),            // 0xbc
    ("mul-long/2addr", Format::F12x),            // 0xbd
    ("div-long/2addr", Format::F12x),            // 0xbe
    ("rem-long/2addr", Format::F12x),            // 0xbf
    ("and-long/2addr", Format::F12x),            // 0xc0
    ("or-long/2addr", Format::F12x),             // 0xc1
    ("xor-long/2addr", Format::F12x),            // 0xc2
    ("shl-long/2addr", Format::F12x),            // 0xc3
    ("shr-long/2addr", Format::F12x),            // 0xc4
    ("ushr-long/2addr", Format::F12x),           // 0xc5
    ("add-float/2addr", Format::F12x),           // 0xc6
    ("sub-float/2addr", Format::F12x),           // 0xc7
    ("mul-float/2addr", Format::F12x),           // 0xc8
    ("div-float/2addr", Format::F12x),           // 0xc9
    ("rem-float/2addr", Format::F12x),           // 0xca
    ("add-double/2addr", Format::F12x),          // 0xcb
    ("sub-double/2addr", Format::F12x),          // 0xcc
    ("mul-double/2addr", Format::F12x),          // 0xcd
    ("div-double/2addr", Format::F12x),          // 0xce
    ("rem-double/2addr", Format::F12x),          // 0xcf
    ("add-int/lit16", Format::F22s),             // 0xd0
    ("rsub-int/lit16", Format::F22s),            // 0xd1
    ("mul-int/lit16", Format::F22s),             // 0xd2
    ("div-int/lit16", Format::F22s),             // 0xd3
    ("rem-int/lit16", Format::F22s),             // 0xd4
    ("and-int/lit16", Format::F22s),             // 0xd5
    ("or-int/lit16", Format::F22s),              // 0xd6
    ("xor-int/lit16", Format::F22s),             // 0xd7
    ("add-int/lit8", Format::F22b),              // 0xd8
    ("rsub-int/lit8", Format::F22b),             // 0xd9
    ("mul-int/lit8", Format::F22b),              // 0xda
    ("div-int/lit8", Format::F22b),              // 0xdb
    ("rem-int/lit8", Format::F22b),              // 0xdc
    ("and-int/lit8", Format::F22b),              // 0xdd
    ("or-int/lit8", Format::F22b),               // 0xde
    ("xor-int/lit8", Format::F22b),              // 0xdf
    ("shl-int/lit8", Format::F22b),              // 0xe0
    ("shr-int/lit8", Format::F22b),              // 0xe1
    ("ushr-int/lit8", Format::F22b),             // 0xe2
    ("(unused)", Format::Unused),                // 0xe3
    ("(unused)", Format::Unused),                // 0xe4
    ("(unused)", Format::Unused),                // 0xe5
    ("(unused)", Format::Unused),                // 0xe6
    ("(unused)", Format::Unused),                // 0xe7
    ("(unused)", Format::Unused),                // 0xe8
    ("(unused)", Format::Unused),                // 0xe9
    ("(unused)", Format::Unused),                // 0xea
    ("(unused)", Format::Unused),                // 0xeb
    ("(unused)", Format::Unused),                // 0xec
    ("(unused)", Format::Unused),                // 0xed
    ("(unused)", Format::Unused),                // 0xee
    ("(unused)", Format::Unused),                // 0xef
    ("(unused)", Format::Unused),                // 0xf0
    ("(unused)", Format::Unused),                // 0xf1
    ("(unused)", Format::Unused),                // 0xf2
    ("(unused)", Format::Unused),                // 0xf3
    ("(unused)", Format::Unused),                // 0xf4
    ("(unused)", Format::Unused),                // 0xf5
    ("(unused)", Format::Unused),                // 0xf6
    ("(unused)", Format::Unused),                // 0xf7
    ("(unused)", Format::Unused),                // 0xf8
    ("(unused)", Format::Unused),                // 0xf9
    ("invoke-polymorphic", Format::F45cc),       // 0xfa
    ("invoke-polymorphic/range", Format::F4rcc), // 0xfb
    ("invoke-custom", Format::F35c),             // 0xfc
    ("invoke-custom/range", Format::F3rc),       // 0xfd
    ("const-method-handle", Format::F21c),       // 0xfe
    ("const-method-type", Format::F21c),         // 0xff
];

/// Opcode bytes the code index and callers care about.
pub mod op {
    pub const NOP: u8 = 0x00;
    pub const MOVE: u8 = 0x01;
    pub const MOVE_OBJECT_16: u8 = 0x09;
    pub const MOVE_RESULT: u8 = 0x0a;
    pub const MOVE_RESULT_WIDE: u8 = 0x0b;
    pub const MOVE_RESULT_OBJECT: u8 = 0x0c;
    pub const MOVE_EXCEPTION: u8 = 0x0d;
    pub const RETURN_VOID: u8 = 0x0e;
    pub const RETURN: u8 = 0x0f;
    pub const RETURN_WIDE: u8 = 0x10;
    pub const RETURN_OBJECT: u8 = 0x11;
    pub const CONST_4: u8 = 0x12;
    pub const CONST_WIDE_HIGH16: u8 = 0x19;
    pub const CONST_STRING: u8 = 0x1a;
    pub const CONST_STRING_JUMBO: u8 = 0x1b;
    pub const CONST_CLASS: u8 = 0x1c;
    pub const CHECK_CAST: u8 = 0x1f;
    pub const NEW_INSTANCE: u8 = 0x22;
    pub const NEW_ARRAY: u8 = 0x23;
    pub const FILLED_NEW_ARRAY: u8 = 0x24;
    pub const FILLED_NEW_ARRAY_RANGE: u8 = 0x25;
    pub const FILL_ARRAY_DATA: u8 = 0x26;
    pub const THROW: u8 = 0x27;
    pub const GOTO: u8 = 0x28;
    pub const GOTO_32: u8 = 0x2a;
    pub const PACKED_SWITCH: u8 = 0x2b;
    pub const SPARSE_SWITCH: u8 = 0x2c;
    pub const IF_EQ: u8 = 0x32;
    pub const IF_LEZ: u8 = 0x3d;
    pub const AGET: u8 = 0x44;
    pub const APUT: u8 = 0x4b;
    pub const APUT_SHORT: u8 = 0x51;
    pub const IGET: u8 = 0x52;
    pub const IPUT: u8 = 0x59;
    pub const IPUT_SHORT: u8 = 0x5f;
    pub const SGET: u8 = 0x60;
    pub const SGET_SHORT: u8 = 0x66;
    pub const SPUT: u8 = 0x67;
    pub const SPUT_SHORT: u8 = 0x6d;
    pub const INVOKE_VIRTUAL: u8 = 0x6e;
    pub const INVOKE_SUPER: u8 = 0x6f;
    pub const INVOKE_DIRECT: u8 = 0x70;
    pub const INVOKE_STATIC: u8 = 0x71;
    pub const INVOKE_INTERFACE: u8 = 0x72;
    pub const INVOKE_VIRTUAL_RANGE: u8 = 0x74;
    pub const INVOKE_INTERFACE_RANGE: u8 = 0x78;
    pub const INVOKE_POLYMORPHIC: u8 = 0xfa;
    pub const INVOKE_POLYMORPHIC_RANGE: u8 = 0xfb;
    pub const INVOKE_CUSTOM: u8 = 0xfc;
    pub const INVOKE_CUSTOM_RANGE: u8 = 0xfd;
    pub const CONST_METHOD_HANDLE: u8 = 0xfe;
    pub const CONST_METHOD_TYPE: u8 = 0xff;
}

/// Mnemonic of an opcode byte.
pub fn mnemonic(opcode: u8) -> &'static str {
    OPCODES.get(usize::from(opcode)).map_or("(unused)", |e| e.0)
}

/// Format of an opcode byte.
#[inline]
pub fn format_of(opcode: u8) -> Format {
    OPCODES
        .get(usize::from(opcode))
        .map_or(Format::Unused, |e| e.1)
}

/// What the index operand of an instruction refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    None,
    String,
    Type,
    Field,
    Method,
    /// invoke-polymorphic: method index plus proto index in `index2`.
    MethodAndProto,
    CallSite,
    MethodHandle,
    Proto,
}

/// Kind of the `index` operand for an opcode.
pub fn index_kind(opcode: u8) -> IndexKind {
    match opcode {
        0x1a | 0x1b => IndexKind::String,
        0x1c | 0x1f | 0x20 | 0x22 | 0x23 | 0x24 | 0x25 => IndexKind::Type,
        0x52..=0x6d => IndexKind::Field,
        0x6e..=0x72 | 0x74..=0x78 => IndexKind::Method,
        0xfa | 0xfb => IndexKind::MethodAndProto,
        0xfc | 0xfd => IndexKind::CallSite,
        0xfe => IndexKind::MethodHandle,
        0xff => IndexKind::Proto,
        _ => IndexKind::None,
    }
}

/// Register arguments of an invoke / filled-new-array instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Args {
    #[default]
    None,
    /// 35c-style explicit list (at most five registers; `count` of `regs` are used).
    List { count: u8, regs: [u8; 5] },
    /// 3rc-style range `first .. first + count`.
    Range { first: u16, count: u8 },
}

impl Args {
    /// Number of argument registers.
    pub fn len(&self) -> usize {
        match self {
            Args::None => 0,
            Args::List { count, .. } => usize::from(*count),
            Args::Range { count, .. } => usize::from(*count),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th argument register.
    pub fn get(&self, i: usize) -> Option<u16> {
        match self {
            Args::None => None,
            Args::List { count, regs } => {
                if i < usize::from(*count) {
                    regs.get(i).map(|&r| u16::from(r))
                } else {
                    None
                }
            }
            Args::Range { first, count } => {
                if i < usize::from(*count) {
                    u16::try_from(i).ok().and_then(|i| first.checked_add(i))
                } else {
                    None
                }
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// A payload pseudo-instruction kind (identified by the code unit `0x0100`, `0x0200`, `0x0300`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    PackedSwitch,
    SparseSwitch,
    FillArrayData,
}

/// One decoded instruction. Register and literal operands are named as in the Dalvik format
/// documents (`vA`, `vB`, `vC`); unused operands are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    /// Position in code units from the start of the method's `insns`.
    pub pc: u32,
    /// Opcode byte (0 for payloads, which are `nop`-prefixed).
    pub opcode: u8,
    pub format: Format,
    /// Size in code units (for payloads: the whole payload).
    pub units: u32,
    pub a: u32,
    pub b: u32,
    pub c: u32,
    /// Sign-extended literal (11n/21s/21h/31i/51l/22b/22s; 21h already shifted into place) or the
    /// signed branch offset in code units (10t/20t/30t/21t/22t/31t).
    pub literal: i64,
    /// Pool index (string/type/field/method/call site/method handle/proto), vtable or inline index
    /// for 35ms/35mi/3rms/3rmi, field offset for 22cs, or the verification-error index of 20bc.
    pub index: u32,
    /// Proto index of invoke-polymorphic (45cc/4rcc).
    pub index2: u32,
    pub args: Args,
    /// Set when this is a payload pseudo-instruction met inline.
    pub payload: Option<PayloadKind>,
}

impl Insn {
    pub fn mnemonic(&self) -> &'static str {
        match self.payload {
            Some(PayloadKind::PackedSwitch) => "packed-switch-payload",
            Some(PayloadKind::SparseSwitch) => "sparse-switch-payload",
            Some(PayloadKind::FillArrayData) => "fill-array-data-payload",
            None => mnemonic(self.opcode),
        }
    }

    /// Absolute branch target (code units) of a goto/if/switch/fill-array-data instruction.
    #[inline]
    pub fn target(&self) -> Option<u32> {
        match self.format {
            Format::F10t
            | Format::F20t
            | Format::F30t
            | Format::F21t
            | Format::F22t
            | Format::F31t => {
                let t = i64::from(self.pc).checked_add(self.literal)?;
                u32::try_from(t).ok()
            }
            _ => None,
        }
    }

    /// Whether execution can continue to the next instruction.
    pub fn falls_through(&self) -> bool {
        !matches!(
            self.opcode,
            0x0e..=0x11 | op::THROW | op::GOTO..=op::GOTO_32
        ) || self.payload.is_some()
    }
}

#[inline]
fn unit(code: &[u8], pc: usize) -> Option<u16> {
    let off = pc.checked_mul(2)?;
    let b = code.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
}

fn unit32(code: &[u8], pc: usize) -> Option<u32> {
    let lo = unit(code, pc)?;
    let hi = unit(code, pc.checked_add(1)?)?;
    Some(u32::from(lo) | (u32::from(hi) << 16))
}

/// Size in code units of the payload starting at `pc` (the caller has checked the identifier).
fn payload_units(code: &[u8], pc: usize, kind: PayloadKind) -> Option<u32> {
    match kind {
        PayloadKind::PackedSwitch => {
            let size = u32::from(unit(code, pc.checked_add(1)?)?);
            size.checked_mul(2)?.checked_add(4)
        }
        PayloadKind::SparseSwitch => {
            let size = u32::from(unit(code, pc.checked_add(1)?)?);
            size.checked_mul(4)?.checked_add(2)
        }
        PayloadKind::FillArrayData => {
            let width = u64::from(unit(code, pc.checked_add(1)?)?);
            let size = u64::from(unit32(code, pc.checked_add(2)?)?);
            let bytes = width.checked_mul(size)?;
            let units = bytes.checked_add(1)? / 2 + 4;
            u32::try_from(units).ok()
        }
    }
}

#[inline]
fn payload_kind(first_unit: u16) -> Option<PayloadKind> {
    match first_unit {
        0x0100 => Some(PayloadKind::PackedSwitch),
        0x0200 => Some(PayloadKind::SparseSwitch),
        0x0300 => Some(PayloadKind::FillArrayData),
        _ => None,
    }
}

/// Decodes the instruction at code unit `pc` of `code` (the raw `insns` bytes). `None` when the
/// instruction (or payload) runs past the end of `code`.
#[inline]
pub fn decode(code: &[u8], pc: u32) -> Option<Insn> {
    let p = usize::try_from(pc).ok()?;
    let u0 = unit(code, p)?;
    if let Some(kind) = payload_kind(u0) {
        let units = payload_units(code, p, kind)?;
        // The whole payload must be inside the code.
        let end = p.checked_add(usize::try_from(units).ok()?)?;
        if end.checked_mul(2)? > code.len() {
            return None;
        }
        return Some(Insn {
            pc,
            opcode: op::NOP,
            format: Format::F10x,
            units,
            a: 0,
            b: 0,
            c: 0,
            literal: 0,
            index: 0,
            index2: 0,
            args: Args::None,
            payload: Some(kind),
        });
    }
    let opcode = (u0 & 0xff) as u8;
    decode_as(code, pc, format_of(opcode))
}

/// Decodes the instruction at `pc` with an explicit format (for odex-era formats such as 22cs,
/// 35ms, 35mi, 3rms, 3rmi and 20bc, whose opcodes are unused in DEX files).
#[inline]
pub fn decode_as(code: &[u8], pc: u32, format: Format) -> Option<Insn> {
    let p = usize::try_from(pc).ok()?;
    let u0 = unit(code, p)?;
    let opcode = (u0 & 0xff) as u8;
    let aa = u32::from(u0 >> 8);
    let a4 = u32::from((u0 >> 8) & 0xf);
    let b4 = u32::from(u0 >> 12);
    let units = format.units();
    // Bounds: every unit of the instruction must be present.
    let last = p
        .checked_add(usize::try_from(units).ok()?)?
        .checked_sub(1)?;
    unit(code, last)?;
    let u = |k: usize| unit(code, p.wrapping_add(k)).unwrap_or(0);
    let mut i = Insn {
        pc,
        opcode,
        format,
        units,
        a: 0,
        b: 0,
        c: 0,
        literal: 0,
        index: 0,
        index2: 0,
        args: Args::None,
        payload: None,
    };
    match format {
        Format::Unused | Format::F10x => {}
        Format::F12x => {
            i.a = a4;
            i.b = b4;
        }
        Format::F11n => {
            i.a = a4;
            // Sign-extend the high nibble.
            i.literal = i64::from(((u0 as i16) >> 12) as i8);
        }
        Format::F11x => i.a = aa,
        Format::F10t => i.literal = i64::from((u0 >> 8) as u8 as i8),
        Format::F20t => i.literal = i64::from(u(1) as i16),
        Format::F20bc => {
            i.a = aa;
            i.index = u32::from(u(1));
        }
        Format::F22x => {
            i.a = aa;
            i.b = u32::from(u(1));
        }
        Format::F21t | Format::F21s => {
            i.a = aa;
            i.literal = i64::from(u(1) as i16);
        }
        Format::F21h => {
            i.a = aa;
            let hi = i64::from(u(1) as i16);
            i.literal = if opcode == op::CONST_WIDE_HIGH16 {
                hi.wrapping_shl(48)
            } else {
                hi.wrapping_shl(16)
            };
        }
        Format::F21c => {
            i.a = aa;
            i.index = u32::from(u(1));
        }
        Format::F23x => {
            i.a = aa;
            i.b = u32::from(u(1) & 0xff);
            i.c = u32::from(u(1) >> 8);
        }
        Format::F22b => {
            i.a = aa;
            i.b = u32::from(u(1) & 0xff);
            i.literal = i64::from((u(1) >> 8) as u8 as i8);
        }
        Format::F22t | Format::F22s => {
            i.a = a4;
            i.b = b4;
            i.literal = i64::from(u(1) as i16);
        }
        Format::F22c | Format::F22cs => {
            i.a = a4;
            i.b = b4;
            i.index = u32::from(u(1));
        }
        Format::F30t => {
            i.literal = i64::from((u32::from(u(1)) | (u32::from(u(2)) << 16)) as i32);
        }
        Format::F32x => {
            i.a = u32::from(u(1));
            i.b = u32::from(u(2));
        }
        Format::F31i | Format::F31t => {
            i.a = aa;
            i.literal = i64::from((u32::from(u(1)) | (u32::from(u(2)) << 16)) as i32);
        }
        Format::F31c => {
            i.a = aa;
            i.index = u32::from(u(1)) | (u32::from(u(2)) << 16);
        }
        Format::F35c | Format::F35ms | Format::F35mi | Format::F45cc => {
            let count = (u0 >> 12) as u8;
            let g = ((u0 >> 8) & 0xf) as u8;
            let f = u(2);
            let regs = [
                (f & 0xf) as u8,
                ((f >> 4) & 0xf) as u8,
                ((f >> 8) & 0xf) as u8,
                (f >> 12) as u8,
                g,
            ];
            // A count above five is malformed; keep the five registers that exist.
            i.a = u32::from(count);
            i.args = Args::List {
                count: count.min(5),
                regs,
            };
            i.index = u32::from(u(1));
            if format == Format::F45cc {
                i.index2 = u32::from(u(3));
            }
        }
        Format::F3rc | Format::F3rms | Format::F3rmi | Format::F4rcc => {
            let count = (u0 >> 8) as u8;
            i.a = u32::from(count);
            i.index = u32::from(u(1));
            i.c = u32::from(u(2));
            i.args = Args::Range { first: u(2), count };
            if format == Format::F4rcc {
                i.index2 = u32::from(u(3));
            }
        }
        Format::F51l => {
            i.a = aa;
            let v = u64::from(u(1))
                | (u64::from(u(2)) << 16)
                | (u64::from(u(3)) << 32)
                | (u64::from(u(4)) << 48);
            i.literal = v as i64;
        }
    }
    Some(i)
}

/// Walks the instructions of one method body (`insns` bytes of a code item).
#[derive(Debug, Clone)]
pub struct Instructions<'a> {
    code: &'a [u8],
    pc: u32,
    end: u32,
    truncated: bool,
}

impl<'a> Instructions<'a> {
    pub fn new(code: &'a [u8]) -> Self {
        let end = u32::try_from(code.len() / 2).unwrap_or(u32::MAX);
        Instructions {
            code,
            pc: 0,
            end,
            truncated: false,
        }
    }

    /// True once the walk stopped at an instruction that runs past the end of the code.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// The code bytes being walked.
    pub fn code(&self) -> &'a [u8] {
        self.code
    }
}

impl Iterator for Instructions<'_> {
    type Item = Insn;

    #[inline]
    fn next(&mut self) -> Option<Insn> {
        if self.pc >= self.end || self.truncated {
            return None;
        }
        match decode(self.code, self.pc) {
            Some(insn) => {
                self.pc = self.pc.saturating_add(insn.units.max(1));
                Some(insn)
            }
            None => {
                self.truncated = true;
                None
            }
        }
    }
}

/// A payload read at a branch target of packed-switch / sparse-switch / fill-array-data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// Keys `first_key ..`, targets relative to the switch instruction (raw little-endian i32s).
    PackedSwitch { first_key: i32, targets: &'a [u8] },
    /// Sorted keys and their relative targets (raw little-endian i32s, same count).
    SparseSwitch { keys: &'a [u8], targets: &'a [u8] },
    /// `count` elements of `width` bytes, little-endian, in `data`.
    FillArrayData {
        width: u16,
        count: u32,
        data: &'a [u8],
    },
}

/// Reads the payload at code unit `pc`; `None` if there is none or it is truncated.
pub fn payload_at(code: &[u8], pc: u32) -> Option<Payload<'_>> {
    let p = usize::try_from(pc).ok()?;
    let kind = payload_kind(unit(code, p)?)?;
    let byte = p.checked_mul(2)?;
    match kind {
        PayloadKind::PackedSwitch => {
            let size = usize::from(unit(code, p.checked_add(1)?)?);
            let first_key = unit32(code, p.checked_add(2)?)? as i32;
            let start = byte.checked_add(8)?;
            let targets = code.get(start..start.checked_add(size.checked_mul(4)?)?)?;
            Some(Payload::PackedSwitch { first_key, targets })
        }
        PayloadKind::SparseSwitch => {
            let size = usize::from(unit(code, p.checked_add(1)?)?);
            let start = byte.checked_add(4)?;
            let n = size.checked_mul(4)?;
            let keys = code.get(start..start.checked_add(n)?)?;
            let t0 = start.checked_add(n)?;
            let targets = code.get(t0..t0.checked_add(n)?)?;
            Some(Payload::SparseSwitch { keys, targets })
        }
        PayloadKind::FillArrayData => {
            let width = unit(code, p.checked_add(1)?)?;
            let count = unit32(code, p.checked_add(2)?)?;
            let len = usize::from(width).checked_mul(usize::try_from(count).ok()?)?;
            let start = byte.checked_add(8)?;
            let data = code.get(start..start.checked_add(len)?)?;
            Some(Payload::FillArrayData { width, count, data })
        }
    }
}

impl Payload<'_> {
    /// Relative branch targets of a switch payload (empty for fill-array-data).
    pub fn switch_targets(&self) -> impl Iterator<Item = i32> + '_ {
        let t: &[u8] = match self {
            Payload::PackedSwitch { targets, .. } | Payload::SparseSwitch { targets, .. } => {
                targets
            }
            Payload::FillArrayData { .. } => &[],
        };
        t.chunks_exact(4)
            .map(|c| i32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn code(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    #[test]
    fn table_is_complete() {
        let unused: Vec<usize> = (0..256)
            .filter(|&i| OPCODES[i].1 == Format::Unused)
            .collect();
        let mut expected: Vec<usize> = (0x3e..=0x43).collect();
        expected.push(0x73);
        expected.extend([0x79, 0x7a]);
        expected.extend(0xe3..=0xf9);
        assert_eq!(unused, expected);
        assert_eq!(mnemonic(0x6e), "invoke-virtual");
        assert_eq!(mnemonic(0xfa), "invoke-polymorphic");
        assert_eq!(mnemonic(0xfe), "const-method-handle");
        assert_eq!(mnemonic(0xe2), "ushr-int/lit8");
        assert_eq!(mnemonic(0xaf), "rem-double");
        assert_eq!(mnemonic(0xcf), "rem-double/2addr");
        assert_eq!(mnemonic(0x8f), "int-to-short");
    }

    #[test]
    fn literals_sign_extend() {
        // const/4 v1, -1
        let c = code(&[0xf112]);
        let i = decode(&c, 0).unwrap();
        assert_eq!((i.a, i.literal), (1, -1));
        // const/high16 v0, 0x7f01 -> 0x7f010000
        let c = code(&[0x0015, 0x7f01]);
        assert_eq!(decode(&c, 0).unwrap().literal, 0x7f01_0000);
        // const-wide/high16 v0, 0x4000 -> 2.0
        let c = code(&[0x0019, 0x4000]);
        assert_eq!(f64::from_bits(decode(&c, 0).unwrap().literal as u64), 2.0);
        // const-wide v2, 0x1122334455667788
        let c = code(&[0x0218, 0x7788, 0x5566, 0x3344, 0x1122]);
        let i = decode(&c, 0).unwrap();
        assert_eq!((i.a, i.units, i.literal), (2, 5, 0x1122_3344_5566_7788));
        // add-int/lit8 v0, v1, -2
        let c = code(&[0x00d8, 0xfe01]);
        let i = decode(&c, 0).unwrap();
        assert_eq!((i.a, i.b, i.literal), (0, 1, -2));
        // goto -1 (10t)
        let c = code(&[0x0000, 0xff28]);
        assert_eq!(decode(&c, 1).unwrap().target(), Some(0));
    }

    #[test]
    fn invoke_formats() {
        // invoke-virtual {v1, v2, v3, v4, v5}, method@0x1234  (A=5, G=5, regs 1,2,3,4)
        let c = code(&[0x556e, 0x1234, 0x4321]);
        let i = decode(&c, 0).unwrap();
        assert_eq!(i.index, 0x1234);
        assert_eq!(i.args.iter().collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        // invoke-static/range {v10 .. v12}
        let c = code(&[0x0377, 0x0001, 0x000a]);
        let i = decode(&c, 0).unwrap();
        assert_eq!(i.args.iter().collect::<Vec<_>>(), vec![10, 11, 12]);
        // invoke-polymorphic {v0, v1}, meth@2, proto@3
        let c = code(&[0x20fa, 0x0002, 0x0010, 0x0003]);
        let i = decode(&c, 0).unwrap();
        assert_eq!((i.units, i.index, i.index2), (4, 2, 3));
        assert_eq!(i.args.iter().collect::<Vec<_>>(), vec![0, 1]);
        // invoke-polymorphic/range
        let c = code(&[0x02fb, 0x0002, 0x0005, 0x0007]);
        let i = decode(&c, 0).unwrap();
        assert_eq!(
            (i.index2, i.args.iter().collect::<Vec<_>>()),
            (7, vec![5, 6])
        );
        // odex formats decode with decode_as
        let c = code(&[0x21f2, 0x0008]);
        let i = decode_as(&c, 0, Format::F22cs).unwrap();
        assert_eq!((i.a, i.b, i.index), (1, 2, 8));
        let c = code(&[0x20f8, 0x0003, 0x0010]);
        let i = decode_as(&c, 0, Format::F35ms).unwrap();
        assert_eq!(i.args.iter().collect::<Vec<_>>(), vec![0, 1]);
        let i = decode_as(&c, 0, Format::F35mi).unwrap();
        assert_eq!(i.index, 3);
        let c = code(&[0x02f9, 0x0003, 0x0004]);
        assert_eq!(
            decode_as(&c, 0, Format::F3rms).unwrap().args,
            Args::Range { first: 4, count: 2 }
        );
        assert_eq!(decode_as(&c, 0, Format::F3rmi).unwrap().index, 3);
        let c = code(&[0x0173, 0x0009]);
        let i = decode_as(&c, 0, Format::F20bc).unwrap();
        assert_eq!((i.a, i.index), (1, 9));
    }

    #[test]
    fn payloads_inline_and_referenced() {
        // fill-array-data v0, +3 ; payload(width 1, 3 elements: 1 2 3)
        let c = code(&[
            0x0026, 0x0003, 0x0000, 0x0300, 0x0001, 0x0003, 0x0000, 0x0201, 0x0003,
        ]);
        let walked: Vec<_> = Instructions::new(&c)
            .map(|i| (i.pc, i.mnemonic()))
            .collect();
        assert_eq!(
            walked,
            vec![(0, "fill-array-data"), (3, "fill-array-data-payload")]
        );
        match payload_at(&c, 3).unwrap() {
            Payload::FillArrayData { width, count, data } => {
                assert_eq!((width, count, data), (1, 3, &[1u8, 2, 3][..]));
            }
            p => panic!("{p:?}"),
        }
        // packed-switch payload: size 2, first_key 10, targets 5, 7 (units = 2*2+4 = 8)
        let c = code(&[0x0100, 0x0002, 0x000a, 0x0000, 5, 0, 7, 0, 0x000e]);
        let all: Vec<_> = Instructions::new(&c).map(|i| i.mnemonic()).collect();
        assert_eq!(all, vec!["packed-switch-payload", "return-void"]);
        let p = payload_at(&c, 0).unwrap();
        assert_eq!(p.switch_targets().collect::<Vec<_>>(), vec![5, 7]);
        // sparse-switch payload: size 1, key 3, target -4 (units = 1*4+2 = 6)
        let c = code(&[0x0200, 0x0001, 3, 0, 0xfffc, 0xffff, 0x000e]);
        let all: Vec<_> = Instructions::new(&c).map(|i| i.mnemonic()).collect();
        assert_eq!(all, vec!["sparse-switch-payload", "return-void"]);
        assert_eq!(
            payload_at(&c, 0)
                .unwrap()
                .switch_targets()
                .collect::<Vec<_>>(),
            vec![-4]
        );
    }

    #[test]
    fn truncated_and_unused() {
        // const-string at the end, missing its index unit
        let c = code(&[0x000e, 0x001a]);
        let mut it = Instructions::new(&c);
        assert_eq!(it.next().unwrap().mnemonic(), "return-void");
        assert!(it.next().is_none());
        assert!(it.truncated());
        // unused opcodes skip one unit
        let c = code(&[0x003e, 0x00e3, 0x000e]);
        let v: Vec<_> = Instructions::new(&c).map(|i| (i.pc, i.format)).collect();
        assert_eq!(
            v,
            vec![(0, Format::Unused), (1, Format::Unused), (2, Format::F10x)]
        );
        // a fill-array-data payload with a huge count is truncated, not allocated
        let c = code(&[0x0300, 0x0004, 0xffff, 0xffff]);
        assert!(decode(&c, 0).is_none());
        assert!(payload_at(&c, 0).is_none());
        // odd byte length: trailing byte ignored
        let c = [0x0eu8, 0x00, 0x0e];
        assert_eq!(Instructions::new(&c).count(), 1);
    }
}
