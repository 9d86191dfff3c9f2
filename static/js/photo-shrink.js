/* 社区治理门户 — photos are shrunk on the phone before they are uploaded.
 *
 * A phone photo is often 5–25 MB; on a slow network the full file would upload only to be refused
 * (or re-encoded to 1600 px by the server anyway). So every photo chosen in the input inside
 * [data-photo-shrink] is decoded, drawn at most data-max-side pixels on its longest side and
 * re-encoded as JPEG (data-quality), and the input's files are replaced with the small ones
 * (DataTransfer). What cannot be shrunk below data-max-bytes, or is not an image, is refused at
 * once, before anything is sent. Texts come from data-msg-* ({name}, {size}, {n}, {before}, {after}).
 * Without this script (or DataTransfer) the original files upload and the server decides.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-photo-shrink]");
  var input = box && box.querySelector('input[type="file"]');
  if (!input || typeof window.DataTransfer !== "function" || !window.HTMLCanvasElement) {
    return;
  }
  try {
    new window.DataTransfer().items.add(new File([""], "probe.jpg", { type: "image/jpeg" }));
  } catch (e) {
    return; /* an old browser without a constructible DataTransfer: leave the input alone */
  }

  var maxSide = parseInt(box.dataset.maxSide, 10) || 1600;
  var quality = parseFloat(box.dataset.quality) || 0.8;
  var maxBytes = parseInt(box.dataset.maxBytes, 10) || 5 * 1024 * 1024;
  var maxFiles = parseInt(box.dataset.maxFiles, 10) || 6;
  var decodeLimit = 80 * 1024 * 1024; /* bigger than this is not a phone photo: refuse, don't decode */
  var status = box.querySelector("[data-photo-status]");
  var form = input.form;
  var submit = form && form.querySelector('button[type="submit"]');
  var working = 0;

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function size(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / 1024 / 1024).toFixed(1) + " MB";
    }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function say(lines) {
    if (status) {
      status.textContent = lines.filter(Boolean).join(" ");
    }
  }

  function decode(file) {
    if (typeof window.createImageBitmap === "function") {
      return window.createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return decodeWithImg(file);
      });
    }
    return decodeWithImg(file);
  }

  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        resolve(img);
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("decode"));
      };
      img.src = url;
    });
  }

  function refusal(key, file) {
    var error = new Error(key);
    error.text = fill(box.dataset[key], { name: file.name, size: size(file.size) });
    return error;
  }

  function shrink(file) {
    if (!/^image\//.test(file.type || "")) {
      return Promise.reject(refusal("msgNotImage", file));
    }
    if (file.size > decodeLimit) {
      return Promise.reject(refusal("msgTooLarge", file));
    }
    return decode(file).then(
      function (image) {
        var width = image.width || image.naturalWidth;
        var height = image.height || image.naturalHeight;
        var scale = Math.min(1, maxSide / Math.max(width, height));
        if (scale === 1 && file.size <= maxBytes && file.type === "image/jpeg") {
          return file; /* already small */
        }
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(width * scale));
        canvas.height = Math.max(1, Math.round(height * scale));
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        if (image.close) {
          image.close();
        }
        return new Promise(function (resolve, reject) {
          canvas.toBlob(
            function (blob) {
              if (!blob || blob.size > maxBytes) {
                reject(refusal("msgTooLarge", file));
                return;
              }
              var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
              resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
            },
            "image/jpeg",
            quality
          );
        });
      },
      function () {
        throw file.size > maxBytes ? refusal("msgTooLarge", file) : refusal("msgNotImage", file);
      }
    );
  }

  function setBusy(on) {
    working += on ? 1 : -1;
    box.classList.toggle("photo-shrink--busy", working > 0);
    if (submit) {
      submit.disabled = working > 0;
    }
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) {
      say([]);
      return;
    }
    var notes = [];
    if (files.length > maxFiles) {
      files = files.slice(0, maxFiles);
      notes.push(fill(box.dataset.msgTooMany, { n: maxFiles }));
    }
    var before = files.reduce(function (sum, f) {
      return sum + f.size;
    }, 0);
    setBusy(true);
    say([box.dataset.msgBusy]);
    Promise.all(
      files.map(function (file) {
        return shrink(file).catch(function (error) {
          notes.push(error.text || String(error));
          return null;
        });
      })
    ).then(function (results) {
      var kept = results.filter(Boolean);
      var transfer = new window.DataTransfer();
      kept.forEach(function (file) {
        transfer.items.add(file);
      });
      input.files = transfer.files; /* setting files fires no change event: no loop */
      var after = kept.reduce(function (sum, f) {
        return sum + f.size;
      }, 0);
      box.dataset.shrunkBytes = String(after);
      var done = kept.length ? fill(box.dataset.msgDone, { before: size(before), after: size(after) }) : "";
      say([done].concat(notes));
      setBusy(false);
    });
  });
})();
