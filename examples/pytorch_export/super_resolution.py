#!/usr/bin/env python3
"""PyTorch's "export a model to ONNX" tutorial, with Onyx where it uses onnxruntime.

The steps a PyTorch user takes, in order:
  1. define the tutorial's super-resolution network (ESPCN, upscale factor 3);
  2. export it with torch.onnx.export, the batch dimension dynamic;
  3. check the file and print its graph;
  4. run it with `import onyx as ort` and compare with PyTorch's own output
     (rtol 1e-3, atol 1e-5, the tutorial's tolerance);
  5. upscale a picture the tutorial's way: the Y channel of the YCbCr picture goes
     through the network, Cb and Cr are resized bicubically, and the three are
     recombined as RGB.
With --onyx-cli, step 5 is also done by the command line (`onyx run --input
input=photo.png --save-image output=y.png`) and its Y channel compared with step 5's.

The tutorial downloads trained weights; this example keeps the network's own
initialisation (seeded), so the upscaled picture is a fair test of the arithmetic, not a
pretty one. Without --image the picture is a synthetic test card written and read back
as PNG through onyx.write_png and onyx.read_image.

usage: super_resolution.py [--out DIR] [--image PHOTO] [--onyx-cli PATH]
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init

import onyx as ort  # the only change from the tutorial: onnxruntime -> onyx

SIDE = 224
UPSCALE = 3


class SuperResolutionNet(nn.Module):
    """The tutorial's network: four convolutions, then a sub-pixel shuffle."""

    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 64, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(64, 64, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(64, 32, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(32, upscale_factor**2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        init.orthogonal_(self.conv1.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv2.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv3.weight, init.calculate_gain("relu"))
        init.orthogonal_(self.conv4.weight)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))


# ---- colour: the JPEG (BT.601 full-range) YCbCr that PIL's convert("YCbCr") uses ----


def rgb_to_ycbcr(rgb):
    r, g, b = (rgb[..., k].astype(np.float32) for k in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return y, cb, cr


def ycbcr_to_rgb(y, cb, cr):
    r = y + 1.402 * (cr - 128)
    g = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)
    b = y + 1.772 * (cb - 128)
    return np.clip(np.rint(np.stack([r, g, b], axis=-1)), 0, 255).astype(np.uint8)


def resize(plane, height, width, mode):
    """One float plane resized with PyTorch (antialiased when shrinking)."""
    t = torch.from_numpy(np.ascontiguousarray(plane, dtype=np.float32))[None, None]
    shrink = height < plane.shape[0] or width < plane.shape[1]
    out = F.interpolate(t, size=(height, width), mode=mode, align_corners=False, antialias=shrink)
    return out[0, 0].numpy()


def test_card(side):
    """A picture with edges, gradients and fine detail, so upscaling has work to do."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    r = 255 * xx
    g = 255 * yy
    b = 127.5 + 127.5 * np.sin(40 * np.hypot(xx - 0.5, yy - 0.5))
    rgb = np.stack([r, g, b], axis=-1)
    rgb[(np.abs(xx - 0.3) < 0.1) & (np.abs(yy - 0.7) < 0.1)] = (250, 240, 20)
    rgb[np.hypot(xx - 0.7, yy - 0.3) < 0.12] = (200, 30, 60)
    stripes = ((np.arange(side) // 2) % 2 == 0)[None, :] & (np.arange(side) < side // 8)[:, None]
    rgb[stripes] = 0  # fine stripes along the top
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="pytorch_export_out", help="folder for the files made")
    p.add_argument("--image", help="a photo to upscale (default: a synthetic test card)")
    p.add_argument("--onyx-cli", help="the onyx program, to repeat step 5 on the command line")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)

    # 1. The network, in inference mode.
    torch_model = SuperResolutionNet(UPSCALE).eval()

    # 2. Export, as the tutorial does: a batch of one, the batch dimension left dynamic.
    x = torch.randn(1, 1, SIDE, SIDE)
    with torch.no_grad():
        torch_out = torch_model(x)
    path = os.path.join(args.out, "super_resolution.onnx")
    torch.onnx.export(torch_model, x, path, export_params=True, opset_version=10,
                      do_constant_folding=True, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}})

    # 3. Check and print (onnx.checker.check_model and onnx.helper.printable_graph).
    ort.check_model(path)
    print(ort.printable_graph(path))

    # 4. Run and compare with PyTorch.
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    print("inputs: ", session.get_inputs())
    print("outputs:", session.get_outputs())
    onyx_out = session.run(None, {name: x.numpy()})[0]
    np.testing.assert_allclose(torch_out.numpy(), onyx_out, rtol=1e-3, atol=1e-5)
    # The dynamic batch: three pictures at once.
    xs = torch.randn(3, 1, SIDE, SIDE)
    with torch.no_grad():
        torch_outs = torch_model(xs)
    np.testing.assert_allclose(torch_outs.numpy(), session.run(None, {name: xs.numpy()})[0],
                               rtol=1e-3, atol=1e-5)
    print(f"Onyx matches PyTorch (rtol 1e-3, atol 1e-5) on batches of 1 and 3, "
          f"output {list(onyx_out.shape)}")

    # 5. A picture: its Y channel upscaled by the network, Cb and Cr bicubically.
    if args.image:
        photo = ort.read_image(args.image)
    else:
        card = os.path.join(args.out, "test_card.png")
        ort.write_png(card, test_card(SIDE))
        photo = ort.read_image(card)
        assert np.array_equal(photo, test_card(SIDE)), "the PNG did not read back as written"
    if photo.shape[2] == 1:
        photo = np.repeat(photo, 3, axis=2)
    photo_path = os.path.join(args.out, "photo_224.png")
    photo_rgb = np.stack([resize(photo[..., k], SIDE, SIDE, "bilinear") for k in range(3)], -1)
    photo_rgb = np.clip(np.rint(photo_rgb), 0, 255).astype(np.uint8)
    ort.write_png(photo_path, photo_rgb)
    y, cb, cr = rgb_to_ycbcr(photo_rgb)

    y_in = (y / 255.0).astype(np.float32)[None, None]
    y_out = session.run(None, {name: y_in})[0][0, 0]
    with torch.no_grad():
        y_torch = torch_model(torch.from_numpy(y_in)).numpy()[0, 0]
    np.testing.assert_allclose(y_torch, y_out, rtol=1e-3, atol=1e-5)
    big = SIDE * UPSCALE
    y_big = np.clip(y_out * 255.0, 0, 255)
    upscaled = ycbcr_to_rgb(y_big, resize(cb, big, big, "bicubic"), resize(cr, big, big, "bicubic"))
    out_path = os.path.join(args.out, "photo_672_superres.png")
    ort.write_png(out_path, upscaled)
    print(f"wrote {out_path} ({big}x{big}, RGB) from {photo_path}")

    # The same Y channel through the command line: it reads a colour picture as its luma
    # (BT.601, as above) scaled by 1/255, and writes the float output back times 255.
    if args.onyx_cli:
        y_path = os.path.join(args.out, "photo_672_y_cli.png")
        subprocess.run([args.onyx_cli, "run", path, "--input", f"input={photo_path}",
                        "--save-image", f"output={y_path}"], check=True, stdout=subprocess.DEVNULL)
        y_cli = ort.read_image(y_path)[..., 0].astype(np.int32)
        worst = np.abs(y_cli - np.rint(y_big).astype(np.int32)).max()
        # Both round the same floats; the CLI's luma is computed in its own order, so one
        # level of difference is rounding.
        if worst > 1:
            sys.exit(f"the command line's Y channel differs from Python's by {worst} levels")
        print(f"onyx run --save-image wrote {y_path}; it matches within {worst} level(s)")


if __name__ == "__main__":
    main()
