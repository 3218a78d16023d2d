using System.Security.Cryptography;
using System.Text;

namespace Traceability.Api.Features.PublicPage;

/// <summary>
/// The public pages' only style sheet, inline (no request for it on a slow phone). The Content-Security-Policy allows
/// exactly this text by its hash and nothing else: no script, no other style, no external resource.
/// </summary>
public static class PageStyle
{
    public const string Css = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1d2b24;background:#f4f7f5;overflow-wrap:anywhere}
        main{max-width:40rem;margin:0 auto;padding:.75rem}header{display:flex;justify-content:space-between;align-items:center;gap:.5rem}
        header p{margin:0;font-size:.85rem;color:#52645a}a{color:#0b5d3b}h1{font-size:1.35rem;margin:.4rem 0 .1rem}h2{font-size:1.05rem;margin:0 0 .5rem}
        .sub{margin:0 0 .6rem;color:#52645a}.card{background:#fff;border-radius:.6rem;padding:.8rem;margin:.7rem 0;box-shadow:0 1px 2px #0002}
        dl{display:grid;grid-template-columns:minmax(7rem,40%) 1fr;gap:.3rem .6rem;margin:0}dt{color:#52645a}dd{margin:0;overflow-wrap:anywhere}
        .recall{background:#b00020;color:#fff;border-radius:.6rem;padding:.9rem;margin:.7rem 0;font-weight:700}.recall p{margin:.3rem 0 0;font-weight:400}
        .recall strong{font-size:1.2rem;letter-spacing:.02em}.badge{display:flex;gap:.5rem;align-items:flex-start;border-radius:.6rem;padding:.7rem;margin:.7rem 0}
        .ok{background:#e3f4ea;border:1px solid #5aa57c}.bad{background:#fde7ea;border:2px solid #b00020}.badge p{margin:0}.badge small{display:block;color:#52645a}
        ol{list-style:none;margin:0;padding:0}ol li{border-left:3px solid #5aa57c;padding:0 0 .8rem .7rem;position:relative}
        ol li.recalled{border-color:#b00020}ol li h3{font-size:1rem;margin:0}ol li p{margin:.1rem 0;font-size:.92rem}.meta{color:#52645a;font-size:.85rem}
        ul{margin:0;padding-left:1.1rem}.chain{display:flex;flex-wrap:wrap;gap:.3rem;padding:0;list-style:none}.chain li{background:#e3f4ea;border-radius:1rem;padding:.15rem .6rem}
        .chain li+li:before{content:"→ ";color:#52645a}
        footer{font-size:.75rem;color:#52645a;margin:1rem 0;overflow-wrap:anywhere}
        .field{margin:0 0 .7rem}.field label{display:block;font-weight:600;margin-bottom:.15rem}.field small{display:block;color:#52645a;font-size:.8rem}
        input,select,textarea{width:100%;font:inherit;padding:.5rem;border:1px solid #9bb0a4;border-radius:.4rem;background:#fff}
        .invalid input,.invalid select,.invalid textarea{border:2px solid #b00020}.error{color:#b00020;font-weight:600;margin:.2rem 0}
        button,.button{display:inline-block;font:inherit;font-weight:700;background:#0b5d3b;color:#fff;border:0;border-radius:.4rem;padding:.6rem 1rem;text-decoration:none}
        button.link{background:none;color:#0b5d3b;padding:0;font-weight:400;text-decoration:underline}form.inline{display:inline}.back{margin-left:1rem}
        .batches,.steps{list-style:none;padding:0}.steps li{display:inline-block;margin:.2rem .4rem .2rem 0}
        .labels{display:grid;grid-template-columns:repeat(3,1fr);gap:2mm}.label{display:flex;gap:2mm;border:1px dashed #9bb0a4;padding:2mm;font-size:9pt;break-inside:avoid}
        .label .qr{width:26mm;flex:none}.label svg{width:100%;height:auto}.label .text{display:flex;flex-direction:column}.label .code{font-family:monospace}
        @media print{@page{size:A4;margin:8mm}body{background:#fff}.noprint{display:none}.label{border-color:#ccc}}
        """;

    /// <summary>The CSP source that allows <see cref="Css"/> and only it.</summary>
    public static string CspHash { get; } = $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Css)))}'";

    /// <summary>No script at all, no plugin, no frame, no form posting elsewhere; images only from this site or inline.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src {CspHash}; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}
