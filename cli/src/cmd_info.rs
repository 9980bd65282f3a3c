//! `rocless info [--device auto|PATH] [--json]`: marketing name, gfx target,
//! CUs, clocks, memory and every firmware version of one AMD GPU. The
//! gathering and printing live in `amdgpu_kmd::report`, so this works on any
//! `Driver`.

use amdgpu_kmd::report::DeviceReport;
use amdgpu_kmd::sysfs::Sysfs;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cmd {
    /// Device information (marketing name, gfx target, CUs, memory, firmware)
    Info {
        /// `auto` (first discrete AMD GPU, else the simulator), `sim`, or a render node path
        #[arg(long, default_value = "auto")]
        device: String,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    let Cmd::Info { device, json } = cmd;
    let opened = match sim::open_device(&device) {
        Err(e @ amdgpu_kmd::Error::Kmd(_)) if !matches!(device.as_str(), "auto" | "sim") => {
            return Err(
                anyhow::Error::new(e).context(format!("{device} is not an amdgpu render node"))
            )
        }
        r => r?,
    };
    if let Some(n) = opened.notice() {
        eprintln!("{n}");
    }
    let mut report = DeviceReport::gather(&opened.device);
    if let sim::DeviceKind::Real(node) = &opened.kind {
        report.pci_slot = node.pci_slot.clone();
        report.sysfs_mem = Some(Sysfs::system().mem_info(&node.name));
    }
    if opened.is_sim() {
        report.marketing_name = format!("{} (simulated by rocless sim)", report.marketing_name);
    }
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}
